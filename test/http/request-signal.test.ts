/**
 * The request's cancellation signal (src/http/request-signal.ts): nothing watches
 * the connection until a provider call reads the signal, and a client that
 * left before that is still seen as gone.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClientGone } from '../../dist/src/execution/client-gone.js';
import { requestSignal } from '../../dist/src/http/request-signal.js';

/** A response and request with just what requestSignal reads. */
function exchange(state: { finished?: boolean; resDestroyed?: boolean; socketDestroyed?: boolean } = {}) {
  const res = Object.assign(new EventEmitter(), { writableFinished: state.finished ?? false, destroyed: state.resDestroyed ?? false });
  const req = { socket: { destroyed: state.socketDestroyed ?? false } };
  return { req: req as unknown as IncomingMessage, res: res as unknown as ServerResponse & EventEmitter, raw: res };
}

describe('requestSignal', () => {
  it('listens for the close only once the signal is read, and aborts on a close before the response', () => {
    const { req, res } = exchange();
    const abort = requestSignal(req, res);
    expect(res.listenerCount('close')).toBe(0);
    const signal = abort.signal;
    expect(res.listenerCount('close')).toBe(1);
    expect(signal.aborted).toBe(false);
    res.emit('close');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(ClientGone);
  });

  it('does not abort when the connection closes after a complete response', () => {
    const { req, res, raw } = exchange();
    const signal = requestSignal(req, res).signal;
    raw.writableFinished = true;
    res.emit('close');
    expect(signal.aborted).toBe(false);
  });

  it('is aborted when read after the client already went away', () => {
    for (const gone of [{ socketDestroyed: true }, { resDestroyed: true }]) {
      const { req, res } = exchange(gone);
      const signal = requestSignal(req, res).signal;
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(ClientGone);
      expect(res.listenerCount('close')).toBe(0);
    }
  });
});
