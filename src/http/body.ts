/** The request body, read up to a limit. */
import type { IncomingMessage } from 'node:http';
import { parseJsonBody } from './json-body.js';

/** The body is longer than the limit: answered 413. */
export class BodyTooLarge extends Error {}

/** Beyond this a refused body is not drained but cut off (the client may then see a reset instead of the 413). */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Bodies declared longer than this are copied into one buffer of their own as they arrive (see {@link readBody}). */
const LARGE_BODY_BYTES = 64 * 1024;

/**
 * Reads the body up to `limit` bytes. An oversized body is drained (up to
 * MAX_DRAIN_BYTES) before the rejection, so the client reads the 413 instead
 * of a broken pipe. A large body whose length is declared (Node's parser
 * holds the client to it) is copied into one buffer of that length as it
 * arrives, so each chunk is garbage as soon as it is read and the body is
 * never in memory twice; {@link releaseBody} frees that buffer. Any other
 * body is joined at its end (a small one is nearly always one chunk, used
 * as it is).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    let size = 0;
    const tooLarge = () =>
      new BodyTooLarge(`request body: expected at most ${limit} bytes, got ${Number.isNaN(declared) ? size : declared}`);
    if (declared > MAX_DRAIN_BYTES) {
      reject(tooLarge());
      req.destroy();
      return;
    }
    // Outside Node's small-buffer pool, so that releaseBody may free it alone.
    const whole = declared > LARGE_BODY_BYTES && declared <= limit ? Buffer.allocUnsafeSlow(declared) : undefined;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      const at = size;
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.destroy();
      else if (size > limit) chunks.length = 0;
      else if (whole) chunk.copy(whole, at);
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) reject(tooLarge());
      else resolve(whole ? whole.subarray(0, size) : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('close', () => size > limit && reject(tooLarge()));
  });
}

/**
 * Frees a large body's buffer (one {@link readBody} made for it) now rather
 * than at a major GC; call once its request is answered. A body buffer
 * outlives the minor GCs of the request's work, so it dies in the old
 * generation, where ten clients sending 2.8 MB bodies as fast as they are
 * answered kept some 50 MB of dead ones until V8's external-memory trigger
 * (64 MB) ran a major GC. Transferring its memory to a fresh ArrayBuffer,
 * dropped at once, hands it to the next minor GC instead; the body's own
 * view is left empty (detached). Other buffers are left alone.
 */
export function releaseBody(bytes: Buffer): void {
  const { buffer } = bytes;
  if (buffer.byteLength > LARGE_BODY_BYTES && bytes.byteOffset === 0 && bytes.length === buffer.byteLength) {
    structuredClone(buffer, { transfer: [buffer] });
  }
}

/** A request body as Apollo takes it, and how to free its bytes once the request is answered. */
export interface GraphQLBody {
  /** Parsed when the content-type names JSON, the text otherwise, undefined when empty (a GET has none). */
  body: unknown;
  /** Frees the body's bytes (see {@link releaseBody}); nothing reads `body` after it. */
  release(): void;
}

const nothingToRelease = () => undefined;

/**
 * The body as Apollo takes it: parsed when the content-type names JSON
 * (large strings left as bytes until read: http/json-body.ts), the text
 * otherwise, undefined when empty. Rejects with {@link BodyTooLarge} past
 * `limit` bytes, with a SyntaxError when JSON does not parse.
 */
export async function graphqlBodyOf(req: IncomingMessage, limit: number): Promise<GraphQLBody> {
  if (req.method !== 'POST') return { body: undefined, release: nothingToRelease };
  const bytes = await readBody(req, limit);
  const release = () => releaseBody(bytes);
  if (bytes.length === 0) return { body: undefined, release };
  if (!(req.headers['content-type'] ?? '').includes('json')) return { body: bytes.toString('utf8'), release };
  try {
    return { body: parseJsonBody(bytes), release };
  } catch (e) {
    release();
    throw e;
  }
}
