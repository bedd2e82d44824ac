/**
 * What a client gets when node:http refuses its request before the gateway
 * sees it: a request head over 16 KiB, a malformed request line, a head that
 * took too long. Node's own answer is a bare status line with no body; ours
 * is the same status with a GraphQL-shaped JSON error and a stable code, as
 * every other refusal of the gateway.
 */
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** The HTTP status and error code for a node:http parser error code. */
function refusalOf(code: string | undefined): { status: number; errorCode: string; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, errorCode: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'expected a request head under 16 KiB, got a larger one' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, errorCode: 'REQUEST_TIMEOUT', message: 'expected the whole request in time, got it too slowly' };
  return { status: 400, errorCode: 'BAD_REQUEST', message: 'expected an HTTP/1.1 request, got one that does not parse' };
}

/** The `clientError` listener: answers once if the socket can still be written, else drops it. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const { status, errorCode, message } = refusalOf(error.code);
  const body = JSON.stringify({ errors: [{ message, extensions: { code: errorCode } }] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
