/** The request body, read up to a limit. */
import type { IncomingMessage } from 'node:http';

/** The body is longer than the limit: answered 413. */
export class BodyTooLarge extends Error {}

/** Beyond this a refused body is not drained but cut off (the client may then see a reset instead of the 413). */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body up to `limit` bytes. An oversized body is drained (up to
 * MAX_DRAIN_BYTES) before the rejection, so the client reads the 413 instead
 * of a broken pipe.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () =>
      new BodyTooLarge(`request body: expected at most ${limit} bytes, got ${Number(req.headers['content-length'] ?? size)}`);
    if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN_BYTES) {
      reject(tooLarge());
      req.destroy();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.destroy();
      else if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () =>
      size > limit ? reject(tooLarge()) : resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8')),
    );
    req.on('error', reject);
    req.on('close', () => size > limit && reject(tooLarge()));
  });
}

/**
 * The body as Apollo takes it: parsed when the content-type names JSON, the
 * text otherwise, undefined when empty (a GET has none). Rejects with
 * {@link BodyTooLarge} past `limit` bytes, with a SyntaxError when JSON does
 * not parse.
 */
export async function graphqlBodyOf(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = req.method === 'POST' ? await readBody(req, limit) : '';
  return raw && (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : raw || undefined;
}
