/** Responses written directly, outside the GraphQL response batch. */
import type { ServerResponse } from 'node:http';

/** Writes `body` as the whole JSON response, with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

/** A request that failed outside GraphQL: a 500 when nothing was sent yet, a cut connection otherwise. */
export function sendInternalError(res: ServerResponse): void {
  if (!res.headersSent)
    sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  else res.destroy();
}

/** The response batch's answer to a response node:http refused to write: logged, then a 500 (or a cut connection). */
export function answerUnwritable(logger: { error(fields: object, message: string): void }): (err: unknown, res: ServerResponse) => void {
  return (err, res) => {
    logger.error({ err }, 'a GraphQL response could not be written');
    sendInternalError(res);
  };
}
