/**
 * Who may open a WebSocket, decided on the upgrade request before any
 * socket exists: the Host and Origin (security/origin-policy.ts; 403) and
 * the connection caps, overall and per remote address (503 with
 * Retry-After). A refused upgrade costs one HTTP response; nothing is read
 * after its headers.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { OriginPolicy } from '../security/origin-policy.js';
import { originRefusalBody } from '../security/origin-policy.js';
import type { WebSocketLimits } from '../security/websocket-limits.js';

/** ws's `verifyClient` in its callback form: called with the upgrade's Origin and request. */
type VerifyClient = (
  info: { origin: string; secure: boolean; req: IncomingMessage },
  callback: (verified: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
) => void;

/** HTTP status of an upgrade refused for its Host or Origin. */
export const UPGRADE_FORBIDDEN = 403;
/** HTTP status of an upgrade refused by a connection cap; the client may try again later. */
export const UPGRADE_OVER_CAPACITY = 503;

/**
 * The `verifyClient` of the WebSocket server, and the per-address count it
 * reads. Counting is exact without locks: ws calls a callback-form
 * verifyClient's callback, completes the upgrade and emits `connection` in
 * one synchronous run, so no other upgrade passes between check and count.
 */
export function connectionGate(
  wss: () => WebSocketServer,
  policy: OriginPolicy,
  limits: Pick<WebSocketLimits, 'maxConnections' | 'maxConnectionsPerAddress'>,
): { verifyClient: VerifyClient; track: (socket: WebSocket, req: IncomingMessage) => void } {
  const byAddress = new Map<string, number>();
  const addressOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

  const verifyClient: VerifyClient = (info, callback) => {
    // ws passes '' for an absent Origin (curl, Node clients): not a browser's cross-site request.
    const refusal = policy.refusal(info.req.headers.host, info.origin || undefined);
    if (refusal)
      return callback(false, UPGRADE_FORBIDDEN, JSON.stringify(originRefusalBody(refusal)), { 'content-type': 'application/json' });
    const overall = wss().clients.size >= limits.maxConnections;
    const perAddress = (byAddress.get(addressOf(info.req)) ?? 0) >= limits.maxConnectionsPerAddress;
    if (overall || perAddress) {
      const message = overall
        ? `WebSocket connections: expected at most ${limits.maxConnections} open on this server, got one more; try again later`
        : `WebSocket connections from one address: expected at most ${limits.maxConnectionsPerAddress}, got one more; close one first`;
      return callback(false, UPGRADE_OVER_CAPACITY, message, { 'retry-after': '1' });
    }
    callback(true);
  };

  const track = (socket: WebSocket, req: IncomingMessage): void => {
    const address = addressOf(req);
    byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left > 0) byAddress.set(address, left);
      else byAddress.delete(address);
    });
  };

  return { verifyClient, track };
}
