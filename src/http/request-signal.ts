/**
 * The cancellation signal of an HTTP request, carried by its context to
 * every provider call made for it (see CallOptions in
 * datasources/provider.ts): it aborts when the connection closes before the
 * response is complete.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LazyAbort } from '../datasources/lazy-abort.js';
import { ClientGone } from '../execution/client-gone.js';

/** Aborted when the client closes the connection before the response is complete (its AbortSignal made on first read). */
export function requestSignal(req: IncomingMessage, res: ServerResponse): LazyAbort {
  // Lazy: most requests end without anyone reading their signal, so the AbortSignal and the
  // close listener are made only when a provider call first reads it.
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
