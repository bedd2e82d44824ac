/** Requests node:http refuses before the gateway sees them still get a JSON error with a stable code. */
import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';

const url = new URL(inject('gatewayUrl'));

/** Sends `raw` on a new connection and resolves with everything the server wrote before closing it. */
function rawExchange(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(raw));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

const parse = (answer: string) => {
  const [head, body] = answer.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], contentType: /content-type: ([^\r]+)/i.exec(head)?.[1], body: JSON.parse(body) };
};

describe('requests refused by the HTTP parser', () => {
  it('answers a request head over 16 KiB with 431 and REQUEST_HEADER_FIELDS_TOO_LARGE', async () => {
    const answer = parse(await rawExchange(`POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nx-request-id: ${'y'.repeat(20_000)}\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.errors[0].extensions.code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
  });

  it('answers a request line that does not parse with 400 and BAD_REQUEST', async () => {
    const answer = parse(await rawExchange('NOT A REQUEST\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.body).toEqual({
      errors: [{ message: expect.stringContaining('expected an HTTP/1.1 request'), extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});
