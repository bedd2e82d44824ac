/**
 * The cancellation signals of WebSocket operations, carried by each
 * operation's context to every provider call made for it (see CallOptions in
 * datasources/provider.ts): one aborts when the client completes its
 * operation, or its socket closes, before the operation finished.
 */
import { ClientGone } from '../execution/client-gone.js';

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
