/**
 * Subscription events executed once per group of subscribers and sent as
 * pre-serialized frames.
 *
 * graphql-js's `subscribe` executes the selection once per subscriber per
 * event, and graphql-ws serializes each result and sends it through a chain
 * of promises per subscriber: with 1,000 subscribers of one operation's
 * progress, a profile of the gateway showed that work (execution,
 * serialization, the per-message promise chain and the garbage of all
 * three) taking most of the CPU the sockets' writes did not (BENCHMARKS.md,
 * bench:fanout). Here:
 *
 * - each subscriber still gets its own source event stream, made by the
 *   field's `subscribe` resolver with its own context: authorisation (the
 *   tenant may see the operation) stays per subscriber, and one refused
 *   gets the error it got before and no events;
 * - an event that reaches several subscribers as one object (the progress
 *   bus hands every listener the same record) is executed once per
 *   **group**: the same normalized document, operation name, variables and
 *   caller's tenant (everything execution reads from a subscriber's context
 *   follows from its tenant). The result is formatted once, by the same
 *   formatter as over HTTP, and serialized once; each subscriber's frame is
 *   that text behind its own operation id, byte for byte what graphql-ws
 *   would have sent;
 * - frames go straight to the socket, one subscriber's in the order its
 *   stream yields them, the next event pulled only once the previous frame
 *   is written (a slow socket gets the newest progress, as before). The
 *   iterator graphql-ws holds yields nothing and ends when the stream does,
 *   so graphql-ws still sends `complete` after the last frame, and an error
 *   the stream throws still leaves through graphql-ws's `error` message.
 *
 * Results are kept per event object (a WeakMap), so they go with the event.
 * A shared execution whose context was aborted meanwhile (its subscriber
 * left) and that produced errors is not reused: the next subscriber of the
 * group executes for itself.
 */
import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import { MessageType, type FormattedExecutionResult } from 'graphql-ws';
import type { WebSocket } from 'ws';

/** Where one subscription's frames go. */
export interface FanOutTarget {
  socket: WebSocket;
  /** graphql-ws's id of the operation on its socket: the frames' `id`. */
  id: string;
  /** The caller's tenant: execution depends on the context through it alone. */
  tenant: string;
}

/** What a {@link SubscriptionFanOut} needs from the server around it. */
export interface SubscriptionFanOutOptions {
  /** Shapes a result's errors as every error a client sees (execution/format-error.ts through Apollo's rules). */
  formatErrors: (errors: readonly GraphQLError[]) => FormattedExecutionResult['errors'];
  /** Called once per execution of an event (shared or not), for metrics and tests. */
  onExecution?: () => void;
  /** Called once per frame sent. */
  onFrame?: () => void;
}

/** A shared execution of one event for one group: its result as the `payload` of a next message, in JSON. */
interface Shared {
  payload: Promise<string>;
  /** Whose context ran it: a result with errors is not reused once that context's signal is aborted. */
  context: unknown;
  hasErrors: boolean;
}

/** Whether the context's signal was aborted; read only for a result with errors (the context makes its signal on first read). */
const aborted = (context: unknown): boolean => (context as { signal?: AbortSignal } | undefined)?.signal?.aborted === true;

/** An async iterator that ends when `run` does and yields nothing; `return()` stops `run`'s loop. */
type Silent = AsyncIterableIterator<never> & { return(): Promise<IteratorResult<never>> };

export class SubscriptionFanOut {
  private readonly shared = new WeakMap<object, Map<string, Shared>>();

  constructor(private readonly options: SubscriptionFanOutOptions) {}

  /**
   * graphql-ws's `subscribe` for one subscription: what graphql-js's
   * `subscribe` would return, but the events' frames are sent to `target`
   * here. A source stream that could not be made (an error of the field's
   * `subscribe` resolver) is returned as its result, for graphql-ws to send.
   */
  async subscribe(args: ExecutionArgs, target: FanOutTarget): Promise<ExecutionResult | Silent> {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const group = `${target.tenant}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${print(args.document)}`;
    const prefix = `{"id":${JSON.stringify(target.id)},"type":"${MessageType.Next}","payload":`;
    let stopped = false;
    const stop = async (): Promise<IteratorResult<never>> => {
      stopped = true;
      await source.return?.();
      return { value: undefined, done: true };
    };
    const run = async (): Promise<IteratorResult<never>> => {
      for (;;) {
        const next = await source.next();
        if (next.done || stopped) return { value: undefined, done: true };
        const payload = await this.payloadOf(next.value, group, args);
        if (stopped) return { value: undefined, done: true };
        if (await send(target.socket, `${prefix}${payload}}`)) this.options.onFrame?.();
      }
    };
    let running: Promise<IteratorResult<never>> | undefined;
    const iterator: Silent = {
      next: () => (running ??= run()),
      return: stop,
      throw: async (e: unknown) => {
        await stop();
        throw e;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** The JSON of the `payload` of `event`'s next message for `group`: executed and serialized once per group. */
  private payloadOf(event: unknown, group: string, args: ExecutionArgs): Promise<string> {
    if (typeof event !== 'object' || event === null) return this.executeOnce(event, args).payload;
    let byGroup = this.shared.get(event);
    if (!byGroup) this.shared.set(event, (byGroup = new Map()));
    const known = byGroup.get(group);
    if (known && !(known.hasErrors && aborted(known.context))) return known.payload;
    const made = this.executeOnce(event, args);
    byGroup.set(group, made);
    return made.payload;
  }

  private executeOnce(event: unknown, args: ExecutionArgs): Shared {
    this.options.onExecution?.();
    const made: Shared = { context: args.contextValue, hasErrors: false, payload: Promise.resolve('') };
    made.payload = Promise.resolve(execute({ ...args, rootValue: event })).then((result) => {
      made.hasErrors = Boolean(result.errors);
      return JSON.stringify(this.formatted(result));
    });
    return made;
  }

  /** The payload graphql-ws sends for `result` after our onNext: errors formatted, keys in the same order. */
  private formatted(result: ExecutionResult): FormattedExecutionResult {
    const { errors, ...rest } = result;
    if (errors?.length) return { ...result, errors: this.options.formatErrors(errors) } as FormattedExecutionResult;
    return (errors ? { ...rest, errors: [] } : rest) as FormattedExecutionResult;
  }
}

/**
 * Writes `frame` if the socket is open, as graphql-ws's `ws` adapter does:
 * resolves once ws has handed it to the socket (true), or at once when the
 * socket is no longer open (false).
 */
function send(socket: WebSocket, frame: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return resolve(false);
    socket.send(frame, (err) => (err ? reject(err) : resolve(true)));
  });
}
