/**
 * Request bodies (src/http/body.ts) over a real node:http server: a large
 * body of declared length arrives whole in one buffer of its own, which
 * `release` frees (its view left empty); one sent in chunks of unknown
 * length arrives whole too; a body past the limit is refused; a large
 * string not read before the release can no longer be read.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLarge, graphqlBodyOf, readBody, releaseBody, type GraphQLBody } from '../../dist/src/http/body.js';
import { LAZY_STRING_BYTES } from '../../dist/src/http/json-body.js';

const LIMIT = 8 * 1024 * 1024;

describe('request bodies', () => {
  let server: http.Server;
  let url: string;
  /** What the handler made of the last request. */
  let seen: (req: http.IncomingMessage) => Promise<unknown>;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen(req).then(
        (value) => res.end(JSON.stringify(value ?? null)),
        (e: unknown) => res.end(JSON.stringify({ refused: (e as Error).constructor.name })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (body: Buffer | Readable, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
    return res.json();
  };

  it('reads a large body of declared length into one buffer of its own, byte for byte, and frees it on release', async () => {
    const sent = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 7) & 0xff;
    let bytes: Buffer | undefined;
    seen = async (req) => {
      bytes = await readBody(req, LIMIT);
      return { equal: bytes.equals(sent), own: bytes.buffer.byteLength === sent.length };
    };
    expect(await post(sent)).toEqual({ equal: true, own: true });
    releaseBody(bytes!);
    expect(bytes!.length).toBe(0);
  });

  it('reads a body of unknown length (chunked) whole, and leaves small bodies alone on release', async () => {
    const parts = [Buffer.alloc(100_000, 1), Buffer.alloc(200_000, 2), Buffer.alloc(5, 3)];
    seen = async (req) => {
      const bytes = await readBody(req, LIMIT);
      return { chunked: req.headers['content-length'] === undefined, equal: bytes.equals(Buffer.concat(parts)) };
    };
    expect(await post(Readable.from(parts))).toEqual({ chunked: true, equal: true });
    let small: Buffer | undefined;
    seen = async (req) => (small = await readBody(req, LIMIT)).toString();
    expect(await post(Buffer.from('{"query":"{ a }"}'))).toBe('{"query":"{ a }"}');
    releaseBody(small!);
    expect(small!.toString()).toBe('{"query":"{ a }"}');
  });

  it('refuses a body past the limit, declared or chunked', async () => {
    seen = (req) => readBody(req, 1024 * 1024);
    expect(await post(Buffer.alloc(2 * 1024 * 1024))).toEqual({ refused: BodyTooLarge.name });
    expect(await post(Readable.from([Buffer.alloc(700_000), Buffer.alloc(700_000)]))).toEqual({ refused: BodyTooLarge.name });
  });

  it('parses a JSON body with its large strings unread until used; after the release they cannot be read', async () => {
    const image = 'A'.repeat(LAZY_STRING_BYTES * 2);
    let read: GraphQLBody | undefined;
    seen = async (req) => {
      read = await graphqlBodyOf(req, LIMIT);
      const { variables } = read.body as { variables: { img: { base64: string } } };
      return { getter: typeof Object.getOwnPropertyDescriptor(variables.img, 'base64')?.get, image: variables.img.base64 === image };
    };
    const json = { 'content-type': 'application/json' };
    expect(await post(Buffer.from(JSON.stringify({ query: '{ a }', variables: { img: { base64: image } } })), json)).toEqual({
      getter: 'function',
      image: true,
    });
    // Another body, released before its image is read.
    seen = async (req) => (read = await graphqlBodyOf(req, LIMIT)) && null;
    await post(Buffer.from(JSON.stringify({ query: '{ a }', variables: { img: { base64: image } } })), json);
    read!.release();
    const { variables } = read!.body as { variables: { img: { base64: string } } };
    expect(() => variables.img.base64).toThrow(/expected its bytes until its request is answered, got them released/);
  });
});
