/**
 * ResponseBatch (src/response-batch.ts): complete responses are queued and
 * written together at the end of the event-loop turn, each whole and to its
 * own client; one that cannot be written does not keep the others back.
 */
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseBatch } from '../../dist/src/http/response-batch.js';

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose handler gets each request's path and its response. */
async function serve(handler: (path: string, res: ServerResponse) => void): Promise<string> {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req.url ?? '/', res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ResponseBatch', () => {
  it('writes nothing until the turn ends, then every queued response whole, with its content-length', async () => {
    const failures: unknown[] = [];
    const batch = new ResponseBatch((e) => failures.push(e));
    const sentAtQueue: boolean[] = [];
    const url = await serve((path, res) => {
      batch.end(res, path === '/teapot' ? 418 : 200, { 'content-type': 'text/plain; charset=utf-8' }, `answer to ${path} — ü`);
      sentAtQueue.push(res.headersSent);
    });
    const paths = ['/a', '/b', '/teapot', '/c', '/d'];
    const responses = await Promise.all(paths.map((p) => fetch(url + p)));
    expect(sentAtQueue).toEqual(paths.map(() => false));
    for (const [i, res] of responses.entries()) {
      const text = await res.text();
      expect(res.status).toBe(paths[i] === '/teapot' ? 418 : 200);
      expect(text).toBe(`answer to ${paths[i]} — ü`);
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    }
    expect(failures).toEqual([]);
  });

  it('hands a response node:http refuses to the failure callback and still writes the others of the batch', async () => {
    const failed: string[] = [];
    let queued = 0;
    const batch = new ResponseBatch((e, res) => {
      failed.push((e as Error & { code?: string }).code ?? String(e));
      res.writeHead(500).end('refused');
    });
    const held: [string, ServerResponse][] = [];
    const url = await serve((path, res) => {
      // Queue all three in one turn, the bad one in the middle.
      held.push([path, res]);
      if (held.length < 3) return;
      for (const [p, r] of held) batch.end(r, 200, { 'x-note': p === '/bad' ? 'line\nbreak' : 'fine' }, `ok ${p}`);
      queued = held.length;
    });
    const [first, bad, last] = await Promise.all(['/first', '/bad', '/last'].map((p) => fetch(url + p)));
    expect(queued).toBe(3);
    expect([first.status, await first.text()]).toEqual([200, 'ok /first']);
    expect([bad.status, await bad.text()]).toEqual([500, 'refused']);
    expect([last.status, await last.text()]).toEqual([200, 'ok /last']);
    expect(failed).toEqual(['ERR_INVALID_CHAR']);
  });

  it('writes at once on flush()', async () => {
    const batch = new ResponseBatch(() => undefined);
    let sentAtFlush: boolean | undefined;
    const url = await serve((_path, res) => {
      batch.end(res, 200, {}, 'flushed');
      batch.flush();
      sentAtFlush = res.headersSent;
    });
    expect(await (await fetch(url)).text()).toBe('flushed');
    expect(sentAtFlush).toBe(true);
  });
});
