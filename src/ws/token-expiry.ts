/**
 * Sockets do not outlive their credentials. A graphql-ws socket is
 * authenticated once (connection_init) or per operation (GraphiQL's
 * `extensions.headers`), and its operations then run as that caller; a JWT
 * caller carries `expiresAt` (its `exp`, or `iat + maxTokenAgeSeconds`).
 * When the earliest expiry among the credentials a socket has presented
 * passes, the socket is closed with `CloseCode.Forbidden` (4403): running
 * subscriptions stop, and the client reconnects with a fresh token.
 *
 * Earliest, not latest: a subscription started under a token must not run
 * past it, and a socket cannot tell which of its operations a later token
 * was meant to extend. API keys and anonymous callers do not expire.
 */
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Caller } from '../security/authenticator.js';

/** Longest delay setTimeout takes (about 24.8 days); a later expiry is re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The close reason a socket gets when its token expired. */
export const TOKEN_EXPIRED_REASON = 'Forbidden: token expired';

/** Closes a socket whose credentials expired. */
const closeExpired = (socket: WebSocket): void => socket.close(CloseCode.Forbidden, TOKEN_EXPIRED_REASON);

/** One timer per socket, at the earliest expiry it has seen. */
export class TokenExpiry {
  private readonly deadlines = new WeakMap<WebSocket, { at: number; timer: NodeJS.Timeout }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Notes that `socket` acts as `caller`. False when the caller's
   * credentials have already expired: the socket is then closed with 4403
   * and nothing should run for it.
   */
  watch(socket: WebSocket, caller: Caller): boolean {
    const at = caller.expiresAt;
    if (at === undefined) return true;
    if (at <= this.now()) {
      closeExpired(socket);
      return false;
    }
    const current = this.deadlines.get(socket);
    if (current && current.at <= at) return true;
    if (current) clearTimeout(current.timer);
    else socket.once('close', () => clearTimeout(this.deadlines.get(socket)?.timer));
    this.arm(socket, at);
    return true;
  }

  private arm(socket: WebSocket, at: number): void {
    const delay = at - this.now();
    const timer = setTimeout(() => (delay > MAX_TIMER_MS ? this.arm(socket, at) : closeExpired(socket)), Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.deadlines.set(socket, { at, timer });
  }
}
