/**
 * Signals that abort when a client goes away, carried by the request's
 * context to every provider call made for it (see CallOptions in
 * datasources/provider.ts): an HTTP request whose connection closes before
 * its response is complete, a WebSocket operation the client completes (or
 * whose socket closes) before it finished.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LazyAbort } from '../datasources/lazy-abort.js';

/** The abort reason when a client goes away: an expected end, not a fault to log as one. */
export class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

/** Aborted when the client closes the connection before the response is complete (its AbortSignal made on first read). */
export function requestSignal(req: IncomingMessage, res: ServerResponse): LazyAbort {
  // Lazy: most requests end without anyone reading their signal; the AbortSignal and the
  // close listener (~1 % of a small request each) are made when a provider call first reads it.
  const gone = () => new ClientGone('the client closed the connection before the response');
  return new LazyAbort((abort) => {
    if (res.writableFinished) return;
    // Gone before anyone asked: the close already happened, so no listener would hear it.
    if (res.destroyed || req.socket.destroyed) return abort.abort(gone());
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(gone());
    });
  });
}

/** Abort controllers of the operations under way on each WebSocket. */
export class OperationSignals {
  private readonly bySocket = new WeakMap<object, Map<string, AbortController>>();

  /** A signal for operation `id` of `socket`. */
  open(socket: object, id: string): AbortSignal {
    let operations = this.bySocket.get(socket);
    if (!operations) this.bySocket.set(socket, (operations = new Map()));
    operations.get(id)?.abort(new ClientGone('the client reused the id of an operation under way'));
    const controller = new AbortController();
    operations.set(id, controller);
    return controller.signal;
  }

  /** The operation produced its result: nothing to cancel any more. */
  finish(socket: object, id: string): void {
    this.bySocket.get(socket)?.delete(id);
  }

  /** The client completed the operation: abort it if it is still running. */
  cancel(socket: object, id: string): void {
    const operations = this.bySocket.get(socket);
    operations?.get(id)?.abort(new ClientGone('the client completed the operation before its result'));
    operations?.delete(id);
  }

  /** The socket closed: abort everything still running on it. */
  cancelAll(socket: object): void {
    const operations = this.bySocket.get(socket);
    for (const controller of operations?.values() ?? []) controller.abort(new ClientGone('the WebSocket closed before the result'));
    this.bySocket.delete(socket);
  }
}
