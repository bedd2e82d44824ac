/**
 * What a socket's transport errors do, in place of graphql-ws's handler,
 * which prints each with console.error (a stack trace on stderr, outside the
 * structured log) and closes with 1011 as if the server were at fault.
 *
 * A protocol error is the client's: a frame over `maxPayload`, a bad opcode,
 * invalid UTF-8 (ws's `WS_ERR_*` codes). ws has already sent the close frame
 * with the right code (1009 for a frame too large) and would go on reading
 * whatever the peer still sends until the close handshake times out; the
 * socket is ended once the close frame has had a moment to leave, so a
 * client streaming junk costs a bounded read. Any other error is logged as a
 * warning and closed as graphql-ws closes it.
 */
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';

/** How long a socket that broke the protocol keeps its connection for the close frame to reach its peer. */
const PROTOCOL_ERROR_GRACE_MS = 500;

/** Replaces the socket's error handlers (call after graphql-ws has added its own). */
export function handleSocketErrors(
  socket: WebSocket,
  logger: { debug(fields: object, message: string): void; warn(fields: object, message: string): void },
): void {
  socket.removeAllListeners('error');
  socket.on('error', (err: Error & { code?: string }) => {
    if (err.code?.startsWith('WS_ERR_')) {
      logger.debug({ code: err.code }, 'WebSocket protocol error: closed');
      setTimeout(() => socket.terminate(), PROTOCOL_ERROR_GRACE_MS).unref();
      return;
    }
    logger.warn({ err }, 'WebSocket transport error');
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  });
}
