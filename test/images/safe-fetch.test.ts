/**
 * The SSRF-safe image fetcher, against loopback servers only.
 *
 * Most tests give public-looking names a fake resolver (img.example.test ->
 * 93.184.216.34) and let `testDial` send the checked connection to a loopback
 * HTTP server instead; `testDial` records what it was given, which is how
 * they prove the connection goes to the address that was checked. A few run
 * without `testDial`, with `allowLoopback`, so Node's own socket code connects
 * through the pinned lookup (a name under .test cannot resolve here, so a
 * success proves nothing else resolved it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DomainError } from '../../dist/src/domain/errors.js';
import {
  type DialTarget,
  type FetchPolicy,
  type ResolvedAddress,
  fetchImage,
  hostAllowed,
  isValidHostPattern,
} from '../../dist/src/images/safe-fetch.js';
import { MAX_IMAGE_BYTES } from '../../dist/src/domain/validation.js';
import { environmentAllows } from '../support/environment.js';
import { until } from '../support/wait.js';

const PUBLIC_A = '93.184.216.34';
const PUBLIC_B = '2606:2800:220:1:248:1893:25c8:1946';
const IMAGE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff));

// ---------------------------------------------------------------- test servers

interface Hits {
  [path: string]: number;
}

let httpServer: http.Server;
let httpPort: number;
const hits: Hits = {};
/** Bytes /drip has written, all requests together. */
let dripped = 0;

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
  const q = url.searchParams;
  switch (url.pathname) {
    case '/img':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': IMAGE.length });
      return void res.end(IMAGE);
    case '/redirect':
      res.writeHead(Number(q.get('status') ?? 302), { location: q.get('to') ?? '/img' });
      return void res.end('moved');
    case '/chain': {
      // /chain?n=3 -> /chain?n=2 -> /chain?n=1 -> /chain?n=0 -> /img
      const n = Number(q.get('n'));
      res.writeHead(302, { location: n > 0 ? `/chain?n=${n - 1}` : '/img' });
      return void res.end();
    }
    case '/loop':
      res.writeHead(301, { location: '/loop' });
      return void res.end();
    case '/no-location':
      res.writeHead(302);
      return void res.end();
    case '/status':
      res.writeHead(Number(q.get('code')), { 'content-type': 'image/png' });
      return void res.end(Number(q.get('code')) === 204 || Number(q.get('code')) === 304 ? undefined : IMAGE);
    case '/sized': {
      // n bytes; chunked unless cl=1
      const n = Number(q.get('n'));
      res.writeHead(200, q.get('cl') === '1' ? { 'content-length': n } : {});
      const block = Buffer.alloc(64 * 1024, 0xab);
      let left = n;
      const pump = (): void => {
        while (left > 0) {
          const part = block.subarray(0, Math.min(block.length, left));
          left -= part.length;
          if (!res.write(part)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      return pump();
    }
    case '/empty':
      res.writeHead(200, { 'content-length': 0 });
      return void res.end();
    case '/hang':
      return; // never answers
    case '/drip': {
      res.writeHead(200, { 'content-type': 'image/png' });
      const timer = setInterval(() => (res.write('x'), dripped++), 50);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/echo':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(req.headers));
    default:
      res.writeHead(404);
      res.end('not found');
  }
}

/** A raw TCP server answering every connection with `respond` (for responses node:http refuses to produce). */
async function rawServer(respond: (socket: net.Socket) => void): Promise<net.Server & { port: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => respond(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { port: (server.address() as net.AddressInfo).port });
}

beforeAll(async () => {
  httpServer = http.createServer(route);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  httpPort = (httpServer.address() as net.AddressInfo).port;
});

afterAll(async () => {
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
});

// ---------------------------------------------------------------- policies

type Answers = Record<string, string[] | Error>;

/** A resolver from a table, counting its calls; a list of tables answers successive calls (rebinding). */
function fakeResolver(...tables: Answers[]): FetchPolicy['resolve'] & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    const table = tables[Math.min(calls.length, tables.length - 1)];
    calls.push(hostname);
    const answer = table[hostname];
    if (answer instanceof Error) throw answer;
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const DEFAULT_ANSWERS: Answers = {
  'img.example.test': [PUBLIC_A],
  'cdn.example.test': [PUBLIC_A, PUBLIC_B],
  'internal.example.test': ['10.0.0.5'],
  'meta.example.test': ['169.254.169.254'],
};

/**
 * Public-looking names, plain http allowed, every checked connection sent to
 * the loopback test server (port `port`), `dials` recording what was checked.
 */
function mapped(
  extra: Partial<FetchPolicy> = {},
  port = httpPort,
): FetchPolicy & { dials: DialTarget[]; resolve: ReturnType<typeof fakeResolver> } {
  const dials: DialTarget[] = [];
  return {
    allowedHosts: ['img.example.test', '*.example.test'],
    allowHttp: true,
    resolve: fakeResolver(DEFAULT_ANSWERS),
    testDial: (target) => {
      dials.push({ ...target, addresses: [...target.addresses] });
      return { addresses: [{ address: '127.0.0.1', family: 4 }], port };
    },
    dials,
    ...extra,
  } as FetchPolicy & { dials: DialTarget[]; resolve: ReturnType<typeof fakeResolver> };
}

/** The DomainError `promise` rejects with (fails the test if it resolves or throws something else). */
async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`expected a refusal, got ${(outcome as Uint8Array)?.length} bytes`);
}

async function refusedInput(promise: Promise<unknown>, message: RegExp): Promise<DomainError> {
  const e = await refusal(promise);
  expect(e.code).toBe('INVALID_INPUT');
  expect(e.details.field).toBe('input.image.url');
  expect(e.message).toMatch(/^input\.image\.url: /);
  expect(e.message).toMatch(message);
  return e;
}

const IPV4_IN_TEXT = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;

// ---------------------------------------------------------------- tests

describe('URL checks (nothing is resolved or connected)', () => {
  it('refuses every URL when the allowlist is empty', async () => {
    const policy = mapped({ allowedHosts: [] });
    await refusedInput(fetchImage('https://img.example.test/img', policy), /image URLs are not enabled/);
    expect(policy.resolve.calls).toEqual([]);
  });

  it('refuses http unless allowHttp, and every other scheme always', async () => {
    const policy = mapped({ allowHttp: false });
    await refusedInput(fetchImage('http://img.example.test/img', policy), /expected an https URL, got a "http" URL/);
    for (const url of [
      'ftp://img.example.test/a.png',
      'file:///etc/passwd',
      'data:image/png;base64,AAAA',
      'javascript:alert(1)',
      'gopher://img.example.test/',
    ]) {
      await refusedInput(fetchImage(url, mapped()), /expected an https or http URL, got a "[a-z]+" URL/);
    }
    expect(policy.resolve.calls).toEqual([]);
    expect(policy.dials).toEqual([]);
  });

  it('refuses malformed, relative and over-long URLs', async () => {
    await refusedInput(fetchImage('not a url', mapped()), /expected an absolute https URL, got a malformed URL/);
    await refusedInput(fetchImage('/img', mapped()), /malformed URL/);
    await refusedInput(
      fetchImage(`https://img.example.test/${'a'.repeat(3000)}`, mapped()),
      /expected a URL of at most 2048 characters, got 3025/,
    );
  });

  it('refuses credentials in the URL without echoing them', async () => {
    for (const url of [
      'https://user:s3cret@img.example.test/img',
      'https://user@img.example.test/img',
      'https://:s3cret@img.example.test/img',
    ]) {
      const policy = mapped();
      const e = await refusedInput(fetchImage(url, policy), /expected a URL without credentials, got one with a user name or password/);
      expect(e.message).not.toMatch(/s3cret|user@/);
      expect(policy.resolve.calls).toEqual([]);
    }
  });

  it('accepts only port 443 (and 80 with allowHttp) unless allowedPorts says otherwise', async () => {
    await refusedInput(fetchImage('https://img.example.test:8443/img', mapped()), /expected port 443 or 80, got 8443/);
    await refusedInput(fetchImage('https://img.example.test:80/img', mapped({ allowHttp: false })), /expected port 443, got 80/);
    await refusedInput(fetchImage('http://img.example.test:22/img', mapped()), /expected port 443 or 80, got 22/);
    const body = await fetchImage('http://img.example.test:8080/img', mapped({ allowedPorts: [8080] }));
    expect(Buffer.from(body).equals(IMAGE)).toBe(true);
    await refusedInput(fetchImage('http://img.example.test/img', mapped({ allowedPorts: [8080] })), /expected port 8080, got 80/);
  });

  it('refuses hosts outside the allowlist, before resolving them', async () => {
    const policy = mapped();
    await refusedInput(
      fetchImage('https://evil.example.com/img', policy),
      /expected a host this gateway is allowed to fetch images from, got "evil.example.com"/,
    );
    await refusedInput(fetchImage('https://a.b.example.test/img', policy), /allowed to fetch images from, got "a.b.example.test"/);
    await refusedInput(fetchImage('https://example.test/img', policy), /got "example.test"/);
    expect(policy.resolve.calls).toEqual([]);
  });
});

describe('allowlist semantics', () => {
  it('matches exact names case-insensitively, ignoring a trailing dot', () => {
    expect(hostAllowed('images.example.com', ['images.example.com'])).toBe(true);
    expect(hostAllowed('IMAGES.Example.COM', ['images.example.com'])).toBe(true);
    expect(hostAllowed('images.example.com.', ['Images.Example.com'])).toBe(true);
    expect(hostAllowed('images.example.com', ['images.example.com.'])).toBe(true);
    expect(hostAllowed('images.example.co', ['images.example.com'])).toBe(false);
    expect(hostAllowed('x.images.example.com', ['images.example.com'])).toBe(false);
  });

  it('lets *.example.com match one label under example.com, nothing else', () => {
    const list = ['*.example.com'];
    expect(hostAllowed('cdn.example.com', list)).toBe(true);
    expect(hostAllowed('CDN.example.com', list)).toBe(true);
    expect(hostAllowed('example.com', list)).toBe(false);
    expect(hostAllowed('a.b.example.com', list)).toBe(false);
    expect(hostAllowed('.example.com', list)).toBe(false);
    expect(hostAllowed('evilexample.com', list)).toBe(false);
    expect(hostAllowed('cdn.example.com.evil.net', list)).toBe(false);
    expect(hostAllowed('cdn.example.community', list)).toBe(false);
    expect(hostAllowed('anything', ['*'])).toBe(false);
    expect(hostAllowed('a.com', ['*.'])).toBe(false);
  });

  it('matches IP literals only against the same address, never against wildcards', () => {
    expect(hostAllowed('203.0.113.7', ['203.0.113.7'])).toBe(true);
    expect(hostAllowed('2001:db8::1', ['[2001:db8::1]'])).toBe(true);
    expect(hostAllowed('2001:db8::1', ['2001:DB8:0:0::1'])).toBe(true);
    expect(hostAllowed('203.0.113.7', ['*.113.7', '*.0.113.7'])).toBe(false);
    expect(hostAllowed('203.0.113.8', ['203.0.113.7'])).toBe(false);
  });

  it('validates allowlist entries for configuration', () => {
    for (const ok of [
      'example.com',
      '*.example.com',
      'a-b.c_d.example',
      'localhost',
      '203.0.113.7',
      '2001:db8::1',
      '[::1]',
      'xn--bcher-kva.example',
      'example.com.',
    ]) {
      expect(isValidHostPattern(ok), ok).toBe(true);
    }
    for (const bad of [
      '',
      '*',
      '*.',
      '**.example.com',
      'a.*.example.com',
      'example.com/path',
      'https://example.com',
      'ex ample.com',
      '-a.com',
      'a..com',
      'fe80::1%eth0',
      'example.com:443',
    ]) {
      expect(isValidHostPattern(bad), bad).toBe(false);
    }
  });
});

describe('address checks', () => {
  const REFUSED: [string, string, RegExp][] = [
    ['loopback', '127.0.0.1', /a loopback address/],
    ['loopback (other)', '127.3.2.1', /a loopback address/],
    ['IPv6 loopback', '::1', /a loopback address/],
    ['cloud metadata', '169.254.169.254', /a link-local address/],
    ['link-local', '169.254.1.1', /a link-local address/],
    ['IPv6 link-local', 'fe80::1', /a link-local address/],
    ['10/8', '10.0.0.5', /a private address/],
    ['172.16/12', '172.16.0.1', /a private address/],
    ['172.16/12 (top)', '172.31.255.254', /a private address/],
    ['192.168/16', '192.168.1.10', /a private address/],
    ['IPv6 unique-local', 'fd00:ec2::254', /a private address/],
    ['CGNAT', '100.64.0.1', /a carrier-grade NAT address/],
    ['0.0.0.0', '0.0.0.0', /an unspecified address/],
    ['0/8', '0.1.2.3', /an unspecified address/],
    ['IPv6 unspecified', '::', /an unspecified address/],
    ['multicast', '224.0.0.251', /a multicast address/],
    ['IPv6 multicast', 'ff02::1', /a multicast address/],
    ['broadcast', '255.255.255.255', /the broadcast address/],
    ['reserved', '240.0.0.1', /a reserved address/],
    ['documentation', '192.0.2.10', /a documentation address/],
    ['mapped loopback', '::ffff:127.0.0.1', /a loopback address/],
    ['mapped metadata', '::ffff:169.254.169.254', /a link-local address/],
    ['mapped private (hex)', '::ffff:a00:5', /a private address/],
    ['NAT64 metadata', '64:ff9b::a9fe:a9fe', /a link-local address/],
    ['6to4 private', '2002:c0a8:101::1', /a private address/],
    ['IPv4-compatible loopback', '::127.0.0.1', /a loopback address/],
    ['garbage from the resolver', 'not-an-ip', /an invalid address/],
  ];

  it.each(REFUSED)('refuses a name resolving to %s (%s), naming only the category', async (_label, address, category) => {
    const policy = mapped({ resolve: fakeResolver({ 'img.example.test': [address] }) });
    const e = await refusedInput(fetchImage('https://img.example.test/img', policy), category);
    expect(e.message).toMatch(/expected a host with public addresses only, got "img.example.test" resolving to /);
    expect(e.message).not.toContain(address);
    expect(e.message).not.toMatch(IPV4_IN_TEXT);
    expect(policy.dials).toEqual([]);
  });

  it('refuses a name with one private address among public ones', async () => {
    for (const answer of [
      [PUBLIC_A, '10.0.0.1'],
      ['192.168.0.1', PUBLIC_A],
      [PUBLIC_B, 'fe80::1', PUBLIC_A],
    ]) {
      const policy = mapped({ resolve: fakeResolver({ 'img.example.test': answer }) });
      const e = await refusedInput(fetchImage('https://img.example.test/img', policy), /resolving to a (private|link-local) address/);
      expect(e.message).not.toMatch(IPV4_IN_TEXT);
      expect(policy.dials).toEqual([]);
    }
  });

  it('refuses IP-literal URLs in refused ranges even when allowlisted', async () => {
    const allowedHosts = ['127.0.0.1', '169.254.169.254', '::1', '::ffff:7f00:1', '10.0.0.1', 'fd00::1'];
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1/img', /got "127.0.0.1", a loopback address/],
      ['http://0x7f.1/img', /got "127.0.0.1", a loopback address/], // the URL parser normalises it
      ['http://2130706433/img', /got "127.0.0.1", a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /a link-local address/],
      ['http://[::1]/img', /got "::1", a loopback address/],
      ['http://[::ffff:127.0.0.1]/img', /a loopback address/],
      ['http://10.0.0.1/img', /a private address/],
      ['http://[fd00::1]/img', /a private address/],
    ];
    for (const [url, message] of cases) {
      const policy = mapped({ allowedHosts });
      await refusedInput(fetchImage(url, policy), message);
      expect(policy.resolve.calls).toEqual([]);
      expect(policy.dials).toEqual([]);
    }
  });

  it('refuses names that do not resolve', async () => {
    await refusedInput(
      fetchImage('https://gone.example.test/img', mapped()),
      /expected a host name that resolves, got "gone.example.test" not resolving/,
    );
    const empty = mapped({ resolve: fakeResolver({ 'img.example.test': [] }) });
    await refusedInput(fetchImage('https://img.example.test/img', empty), /got "img.example.test" without addresses/);
  });
});

describe('fetching', () => {
  it('returns the body of a 200, connecting to the checked address with the URL host as Host', async () => {
    const policy = mapped();
    const body = await fetchImage('http://img.example.test/img', policy);
    expect(body).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(body).equals(IMAGE)).toBe(true);
    expect(policy.resolve.calls).toEqual(['img.example.test']);
    expect(policy.dials).toEqual([{ hostname: 'img.example.test', port: 80, addresses: [{ address: PUBLIC_A, family: 4 }] }]);

    const echo = JSON.parse(
      Buffer.from(await fetchImage('http://img.example.test:8080/echo?x=1', mapped({ allowedPorts: [8080] }))).toString(),
    );
    expect(echo.host).toBe('img.example.test:8080');
    expect(echo['accept-encoding']).toBe('identity');
    expect(echo.authorization).toBeUndefined();
    expect(echo.cookie).toBeUndefined();
  });

  it('passes every checked address (IPv4 and IPv6) to the connection', async () => {
    const policy = mapped();
    await fetchImage('http://cdn.example.test/img', policy);
    expect(policy.dials[0].addresses).toEqual([
      { address: PUBLIC_A, family: 4 },
      { address: PUBLIC_B, family: 6 },
    ]);
  });

  it('connects through the pinned lookup, without any other resolution (allowLoopback, no testDial)', async () => {
    const resolve = fakeResolver({ 'pinned.example.test': ['127.0.0.1'] });
    const body = await fetchImage(`http://pinned.example.test:${httpPort}/img`, {
      allowedHosts: ['pinned.example.test'],
      allowHttp: true,
      allowLoopback: true,
      allowedPorts: [httpPort],
      resolve,
    });
    expect(Buffer.from(body).equals(IMAGE)).toBe(true);
    expect(resolve.calls).toEqual(['pinned.example.test']);
  });

  it('fetches an allowlisted loopback IP literal only with allowLoopback', async () => {
    const url = `http://127.0.0.1:${httpPort}/img`;
    const base = { allowedHosts: ['127.0.0.1'], allowHttp: true, allowedPorts: [httpPort] };
    await refusedInput(fetchImage(url, base), /a loopback address/);
    expect(Buffer.from(await fetchImage(url, { ...base, allowLoopback: true })).equals(IMAGE)).toBe(true);
  });

  it('still refuses private addresses with allowLoopback', async () => {
    const policy = mapped({ allowLoopback: true, resolve: fakeResolver({ 'img.example.test': ['10.1.1.1'] }) });
    await refusedInput(fetchImage('http://img.example.test/img', policy), /a private address/);
  });

  it('uses the field given in the policy', async () => {
    const e = await refusal(fetchImage('http://nope.example.com/', mapped({ field: 'input.source.url' })));
    expect(e.details.field).toBe('input.source.url');
    expect(e.message).toMatch(/^input\.source\.url: /);
  });
});

describe('DNS rebinding', () => {
  it('resolves once per hop and connects to the first answer, never asking again', async () => {
    // A rebinding resolver: public on the first question, the metadata service after.
    const resolve = fakeResolver({ 'img.example.test': [PUBLIC_A] }, { 'img.example.test': ['169.254.169.254'] });
    const policy = mapped({ resolve });
    const body = await fetchImage('http://img.example.test/img', policy);
    expect(Buffer.from(body).equals(IMAGE)).toBe(true);
    expect(resolve.calls).toEqual(['img.example.test']);
    expect(policy.dials.map((d) => d.addresses)).toEqual([[{ address: PUBLIC_A, family: 4 }]]);
  });

  it('connects to the checked address even when the real socket does the connecting', async () => {
    // Checked answer: loopback (allowed for the test). Were anything to ask again it would get
    // 10.255.255.1, where nothing listens, and the system resolver cannot resolve .test names:
    // only the pinned lookup can make this fetch succeed.
    const resolve = fakeResolver({ 'rebind.example.test': ['127.0.0.1'] }, { 'rebind.example.test': ['10.255.255.1'] });
    const policy: FetchPolicy = {
      allowedHosts: ['rebind.example.test'],
      allowHttp: true,
      allowLoopback: true,
      allowedPorts: [httpPort],
      resolve,
      timeoutMs: 2000,
    };
    expect(Buffer.from(await fetchImage(`http://rebind.example.test:${httpPort}/img`, policy)).equals(IMAGE)).toBe(true);
    expect(resolve.calls).toEqual(['rebind.example.test']);
    // The next fetch resolves afresh and gets the rebound answer, which is checked and refused.
    await refusedInput(fetchImage(`http://rebind.example.test:${httpPort}/img`, policy), /resolving to a private address/);
  });

  it('re-resolves and re-checks on a redirect to the same name (a rebinding between hops is refused)', async () => {
    const resolve = fakeResolver({ 'img.example.test': [PUBLIC_A] }, { 'img.example.test': ['127.0.0.1'] });
    const policy = mapped({ resolve });
    await refusedInput(
      fetchImage('http://img.example.test/redirect?to=/img', policy),
      /got "img.example.test" resolving to a loopback address \(after 1 redirect\)/,
    );
    expect(resolve.calls).toEqual(['img.example.test', 'img.example.test']);
    expect(policy.dials).toHaveLength(1);
  });
});

describe('redirects', () => {
  it('follows relative and absolute redirects of every kind, checking each hop', async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const policy = mapped();
      const body = await fetchImage(
        `http://img.example.test/redirect?status=${status}&to=${encodeURIComponent('http://cdn.example.test/img')}`,
        policy,
      );
      expect(Buffer.from(body).equals(IMAGE)).toBe(true);
      expect(policy.resolve.calls).toEqual(['img.example.test', 'cdn.example.test']);
      expect(policy.dials.map((d) => d.hostname)).toEqual(['img.example.test', 'cdn.example.test']);
    }
  });

  it('refuses a redirect to a name resolving to a private address, without connecting or echoing it', async () => {
    const before = hits['/img'] ?? 0;
    const policy = mapped();
    const e = await refusedInput(
      fetchImage(`http://img.example.test/redirect?to=${encodeURIComponent('http://internal.example.test/img')}`, policy),
      /expected a host with public addresses only, got "internal.example.test" resolving to a private address \(after 1 redirect\)/,
    );
    expect(e.message).not.toContain('10.0.0.5');
    expect(policy.dials).toHaveLength(1);
    expect(hits['/img'] ?? 0).toBe(before);
  });

  it('refuses a redirect to the metadata service, by name or by address', async () => {
    await refusedInput(
      fetchImage(`http://img.example.test/redirect?to=${encodeURIComponent('http://meta.example.test/latest/meta-data/')}`, mapped()),
      /a link-local address \(after 1 redirect\)/,
    );
    const literal = mapped({ allowedHosts: ['*.example.test', '169.254.169.254'] });
    await refusedInput(
      fetchImage(`http://img.example.test/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`, literal),
      /a link-local address \(after 1 redirect\)/,
    );
    expect(literal.dials).toHaveLength(1);
  });

  it('refuses a redirect off the allowlist, to another scheme, port or with credentials', async () => {
    const go = (to: string, extra: Partial<FetchPolicy> = {}) =>
      fetchImage(`http://img.example.test/redirect?to=${encodeURIComponent(to)}`, mapped(extra));
    await refusedInput(go('http://evil.example.com/img'), /allowed to fetch images from, got "evil.example.com" \(after 1 redirect\)/);
    await refusedInput(go('http://localhost/img'), /got "localhost" \(after 1 redirect\)/);
    await refusedInput(go('file:///etc/passwd'), /expected an https or http URL, got a "file" URL \(after 1 redirect\)/);
    await refusedInput(go('http://cdn.example.test:6379/'), /expected port 443 or 80, got 6379 \(after 1 redirect\)/);
    await refusedInput(go('http://u:p@cdn.example.test/img'), /without credentials.*\(after 1 redirect\)/);
    await refusedInput(go('http://[::1'), /expected a redirect to a valid URL, got a malformed Location \(after 1 redirect\)$/);
  });

  it('follows at most maxRedirects redirects', async () => {
    const three = mapped();
    expect(Buffer.from(await fetchImage('http://img.example.test/chain?n=2', three)).equals(IMAGE)).toBe(true); // 3 redirects
    expect(three.resolve.calls).toHaveLength(4);
    await refusedInput(fetchImage('http://img.example.test/chain?n=3', mapped()), /expected at most 3 redirects, got more/);
    await refusedInput(fetchImage('http://img.example.test/loop', mapped()), /expected at most 3 redirects, got more/);
    await refusedInput(
      fetchImage('http://img.example.test/redirect?to=/img', mapped({ maxRedirects: 0 })),
      /expected at most 0 redirects, got more/,
    );
    expect(Buffer.from(await fetchImage('http://img.example.test/chain?n=5', mapped({ maxRedirects: 6 }))).equals(IMAGE)).toBe(true);
  });
});

describe('responses', () => {
  it('accepts only status 200', async () => {
    for (const code of [201, 204, 206, 304, 400, 401, 403, 404, 500, 503]) {
      await refusedInput(
        fetchImage(`http://img.example.test/status?code=${code}`, mapped()),
        new RegExp(`expected HTTP status 200, got ${code}$`),
      );
    }
    await refusedInput(fetchImage('http://img.example.test/no-location', mapped()), /expected HTTP status 200, got 302$/);
  });

  it('refuses an empty body', async () => {
    await refusedInput(fetchImage('http://img.example.test/empty', mapped()), /expected image bytes, got an empty body/);
  });

  it('refuses an honest Content-Length over the limit before reading the body', async () => {
    const e = await refusal(fetchImage('http://img.example.test/sized?cl=1&n=2000', mapped({ maxBytes: 1000 })));
    expect(e.code).toBe('INVALID_IMAGE');
    expect(e.details.field).toBe('input.image.url');
    expect(e.message).toBe('input.image.url: expected at most 1000 bytes of image, got a Content-Length of 2000');
  });

  it('stops a body without Content-Length once it passes the limit', async () => {
    const e = await refusal(fetchImage('http://img.example.test/sized?n=200000', mapped({ maxBytes: 100_000 })));
    expect(e.code).toBe('INVALID_IMAGE');
    expect(e.message).toBe('input.image.url: expected at most 100000 bytes of image, got more');
  });

  it('enforces 5 MiB by default, accepting exactly 5 MiB', async () => {
    expect((await fetchImage(`http://img.example.test/sized?n=${MAX_IMAGE_BYTES}`, mapped())).length).toBe(MAX_IMAGE_BYTES);
    const chunked = await refusal(fetchImage(`http://img.example.test/sized?n=${MAX_IMAGE_BYTES + 1}`, mapped()));
    expect(chunked.code).toBe('INVALID_IMAGE');
    expect(chunked.message).toMatch(/expected at most 5242880 bytes of image, got more/);
    const declared = await refusal(fetchImage(`http://img.example.test/sized?cl=1&n=${MAX_IMAGE_BYTES + 1}`, mapped()));
    expect(declared.message).toMatch(/got a Content-Length of 5242881/);
  });

  it('never returns more than the limit when the Content-Length lies', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    const liars: [string, (s: net.Socket) => void, RegExp][] = [
      // Node reads exactly Content-Length bytes; the rest is refused as garbage (or, were it to arrive
      // after the response completed, ignored: at most 10 bytes are ever returned).
      [
        'small Content-Length, huge body',
        (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), big])),
        /malformed one \(HPE_[A-Z_]+\)/,
      ],
      [
        'Content-Length and chunked',
        (s) =>
          s.end(
            Buffer.concat([
              Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n`),
              big,
              Buffer.from('\r\n0\r\n\r\n'),
            ]),
          ),
        /malformed one \(HPE_[A-Z_]+\)/,
      ],
      [
        'two Content-Lengths',
        (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 3145728\r\n\r\n'), big])),
        /malformed one \(HPE_[A-Z_]+\)/,
      ],
      [
        'no length, huge body until close',
        (s) => s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), big])),
        /expected at most 1048576 bytes of image, got more/,
      ],
    ];
    for (const [label, respond, message] of liars) {
      const server = await rawServer(respond);
      try {
        const outcome = await fetchImage('http://img.example.test/x', mapped({ maxBytes: 1024 * 1024 }, server.port)).then(
          (body) => ({ body }),
          (error: unknown) => ({ error }),
        );
        if ('body' in outcome) {
          expect(label).toBe('small Content-Length, huge body');
          expect(outcome.body.length).toBeLessThanOrEqual(10);
        } else {
          expect(outcome.error, label).toBeInstanceOf(DomainError);
          expect((outcome.error as DomainError).message, label).toMatch(message);
        }
      } finally {
        server.close();
      }
    }
  });

  it('refuses a body shorter than its Content-Length', async () => {
    const server = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this'));
    try {
      await refusedInput(
        fetchImage('http://img.example.test/x', mapped({}, server.port)),
        /expected a complete response body, got a truncated one/,
      );
    } finally {
      server.close();
    }
  });

  it('refuses a malformed response, naming only the parser error', async () => {
    const server = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'));
    try {
      await refusedInput(
        fetchImage('http://img.example.test/x', mapped({}, server.port)),
        /expected a well-formed HTTP response, got a malformed one \(HPE_[A-Z_]+\)/,
      );
    } finally {
      server.close();
    }
  });

  it('names a refused connection by its code only', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = await refusedInput(
      fetchImage('http://img.example.test/img', mapped({}, port)),
      /expected a reachable host, got a connection failure \(ECONNREFUSED\)$/,
    );
    expect(e.message).not.toMatch(IPV4_IN_TEXT);
  });
});

/**
 * `promise`, observed: `settled()` says whether it has settled (after its
 * reactions ran), so a test can check it is still pending.
 */
function observe<T>(promise: Promise<T>): { promise: Promise<T>; settled(): Promise<boolean> } {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => new Promise((r) => setImmediate(() => r(done))) };
}

describe('time limit', () => {
  /**
   * The deadline is one timer: faking setTimeout alone (sockets, the test
   * server's drip and until() keep real time) lets these tests say on which
   * millisecond of the fetch's clock it fires instead of timing the fetch.
   */
  const onFakeClock = async (path: string, timeoutMs: number, seen: () => boolean): Promise<void> => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const fetching = observe(fetchImage(`http://img.example.test${path}`, mapped({ timeoutMs })));
      await until(seen, `the server to serve ${path}`);
      vi.advanceTimersByTime(timeoutMs - 1);
      expect(await fetching.settled()).toBe(false);
      vi.advanceTimersByTime(1);
      await until(() => fetching.settled(), `the fetch to end on the ${timeoutMs}th ms`);
      await refusedInput(fetching.promise, new RegExp(`expected the image within ${timeoutMs} ms, got no complete response in time`));
    } finally {
      vi.useRealTimers();
    }
  };

  it('refuses a server that never answers, once the whole fetch took timeoutMs', async () => {
    const before = hits['/hang'] ?? 0;
    await onFakeClock('/hang', 300, () => (hits['/hang'] ?? 0) > before);
  });

  it('is a total deadline, not an idle timeout (a body that trickles forever)', async () => {
    // The body is arriving (bytes written since the request) when the deadline fires.
    const before = dripped;
    await onFakeClock('/drip', 400, () => dripped >= before + 3);
  });

  it('covers DNS: a resolver that never answers', async () => {
    const policy = mapped({ timeoutMs: 200, resolve: Object.assign(() => new Promise<ResolvedAddress[]>(() => undefined), { calls: [] }) });
    await refusedInput(fetchImage('http://img.example.test/img', policy), /within 200 ms/);
  });

  it('covers redirects: one deadline for the whole chain', async () => {
    const policy = mapped({ timeoutMs: 300 });
    await refusedInput(fetchImage(`http://img.example.test/redirect?to=${encodeURIComponent('/hang')}`, policy), /within 300 ms/);
  });

  it("rejects with the caller's abort reason, not a DomainError", async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const before = hits['/hang'] ?? 0;
    const fetching = fetchImage('http://img.example.test/hang', mapped(), controller.signal);
    await until(() => (hits['/hang'] ?? 0) > before, 'the request to reach the server'); // aborted while waiting for the answer
    controller.abort(reason);
    await expect(fetching).rejects.toBe(reason);
    const already = AbortSignal.abort(reason);
    await expect(fetchImage('http://img.example.test/img', mapped(), already)).rejects.toBe(reason);
  });
});

// ---------------------------------------------------------------- https

const opensslVersion = spawnSync('openssl', ['version']);
const OPENSSL = environmentAllows(
  'the https tests of safe-fetch (they make a self-signed certificate with the openssl CLI)',
  opensslVersion.status === 0 ? null : `openssl version: ${opensslVersion.error?.message ?? `exit ${opensslVersion.status}`}`,
);

describe.skipIf(!OPENSSL)('https (self-signed certificate made with openssl)', () => {
  let dir: string;
  let ca: string;
  let server: https.Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'facegate-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=facegate-test',
        '-addext',
        'subjectAltName=DNS:img.example.test,DNS:*.tls.example.test',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert, 'utf8');
    server = https.createServer({ key: readFileSync(key), cert: ca }, route);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** https only, names mapped to loopback by the resolver, Node's TLS verifying the certificate against `ca`. */
  const tls = (extra: Partial<FetchPolicy> = {}): FetchPolicy => ({
    allowedHosts: ['img.example.test', 'other.example.test', '*.tls.example.test'],
    allowLoopback: true,
    allowedPorts: [port],
    tlsCa: ca,
    resolve: fakeResolver({ 'img.example.test': ['127.0.0.1'], 'other.example.test': ['127.0.0.1'], 'a.tls.example.test': ['127.0.0.1'] }),
    ...extra,
  });

  it('fetches over https with the certificate verified for the URL host', async () => {
    expect(Buffer.from(await fetchImage(`https://img.example.test:${port}/img`, tls())).equals(IMAGE)).toBe(true);
    expect(Buffer.from(await fetchImage(`https://a.tls.example.test:${port}/redirect?to=/img`, tls())).equals(IMAGE)).toBe(true);
  });

  it('refuses a certificate not trusted', async () => {
    await refusedInput(
      fetchImage(`https://img.example.test:${port}/img`, tls({ tlsCa: undefined })),
      /expected a host with a valid TLS certificate, got a TLS failure \([A-Z_]+\)/,
    );
  });

  it('refuses a certificate for another name (the pinned address does not change the identity checked)', async () => {
    const e = await refusedInput(
      fetchImage(`https://other.example.test:${port}/img`, tls()),
      /got a TLS failure \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
    expect(e.message).not.toMatch(IPV4_IN_TEXT);
  });

  it('refuses a redirect from https to http', async () => {
    await refusedInput(
      fetchImage(`https://img.example.test:${port}/redirect?to=${encodeURIComponent(`http://img.example.test:${port}/img`)}`, tls()),
      /expected an https URL, got a "http" URL \(after 1 redirect\)/,
    );
  });
});
