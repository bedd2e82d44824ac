/**
 * Fetching a caller-supplied image URL without letting the caller reach
 * what the gateway can reach (SSRF).
 *
 * Every hop (the URL and each redirect) is checked against the whole policy:
 * scheme, no credentials, port, host allowlist; then the host name is resolved
 * once, by this module, every address it resolves to must be public unicast,
 * and the connection is made to those checked addresses only (the socket's
 * `lookup` is pinned to them), so a DNS answer that changes between check and
 * connect (rebinding) cannot redirect the request. The body is capped in size
 * while it streams (a Content-Length is only used to refuse early, never
 * trusted), and the whole fetch, DNS and redirects included, has one deadline.
 *
 * Refusals are DomainErrors: INVALID_INPUT naming the URL field, or
 * INVALID_IMAGE for a body over the size limit. Messages name categories
 * ("a private address"), never the addresses a name resolved to.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { DomainError } from '../domain/errors.js';
import { MAX_IMAGE_BYTES } from '../domain/validation.js';
import { classifyIp, describeCategory, parseIp, sameIp, type AddressCategory } from './ip-ranges.js';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (like `dns.lookup` with `all: true`). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** Where a checked hop is about to connect; see {@link FetchPolicy.testDial}. */
export interface DialTarget {
  hostname: string;
  port: number;
  addresses: readonly ResolvedAddress[];
}

/** What may be fetched, and how much. Everything not listed here is refused. */
export interface FetchPolicy {
  /**
   * Hosts URLs may point at (redirects included): exact names ("images.example.com"),
   * `*.example.com` for any single label under example.com (not example.com itself,
   * not a.b.example.com; list those separately), or IP literals ("203.0.113.7",
   * "2001:db8::1" / "[2001:db8::1]"), which wildcards never match. Compared
   * case-insensitively, ignoring one trailing dot; internationalised names in
   * their punycode (xn--) form. An empty list disables URL fetching.
   * @default []
   */
  allowedHosts: readonly string[];
  /** Also accept plain `http:` URLs and redirects. @default false */
  allowHttp?: boolean;
  /** Ports URLs may name. @default [443], plus 80 when allowHttp */
  allowedPorts?: readonly number[];
  /** Largest body accepted, in bytes. @default MAX_IMAGE_BYTES (5 MiB) */
  maxBytes?: number;
  /** Deadline for the whole fetch: every DNS lookup, connection, redirect and the body. @default 5000 */
  timeoutMs?: number;
  /** Redirects followed (301, 302, 303, 307, 308), each re-checked like the original URL. @default 3 */
  maxRedirects?: number;
  /** Longest URL accepted, in characters. @default 2048 */
  maxUrlLength?: number;
  /** Input path named in refusals. @default "input.image.url" */
  field?: string;
  /**
   * PEM certificate(s) trusted for https *instead of* the system store (a private
   * PKI, or a test server). @default undefined (Node's bundled root CAs)
   */
  tlsCa?: string;
  /** How host names are resolved; called once per hop. @default dns.lookup with `all: true` */
  resolve?: Resolver;
  /**
   * UNSAFE, for tests only: also accept loopback addresses (127/8, ::1), so a
   * success path can be tested against a local server. Never set it from
   * configuration. @default false
   */
  allowLoopback?: boolean;
  /**
   * UNSAFE, for tests only: rewrites where a hop connects, after every check
   * passed (to point a public-looking name at a loopback test server). It
   * receives the checked addresses, which is how tests prove the connection
   * uses them. Never set it from configuration. @default undefined
   */
  testDial?: (target: DialTarget) => { addresses: readonly ResolvedAddress[]; port: number };
}

/** `*.example.com`, `example.com` or an IP literal: the entries {@link FetchPolicy.allowedHosts} understands. */
export function isValidHostPattern(entry: string): boolean {
  if (parseIp(entry) && !parseIp(entry)?.zone) return true;
  const name = entry.toLowerCase().replace(/\.$/, '');
  const label = '[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?';
  return name.length <= 253 && new RegExp(`^(\\*\\.)?(${label}\\.)*${label}$`).test(name);
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_REDIRECTS = 3;
const DEFAULT_MAX_URL_LENGTH = 2048;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const defaultResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Marks the internal deadline, so it is told apart from the caller's abort. */
const TIMED_OUT = Symbol('timed out');

interface Ctx {
  policy: FetchPolicy;
  field: string;
  signal: AbortSignal;
  maxBytes: number;
}

interface Hop {
  url: URL;
  /** Host name without brackets or trailing dot. */
  hostname: string;
  literal: boolean;
  port: number;
  addresses: ResolvedAddress[];
}

function refuse(ctx: Ctx, expected: string, got: string, hop = 0): DomainError {
  const where = hop > 0 ? ` (after ${hop} redirect${hop > 1 ? 's' : ''})` : '';
  return new DomainError('INVALID_INPUT', `${ctx.field}: expected ${expected}, got ${got}${where}`, { field: ctx.field });
}

function tooBig(ctx: Ctx, got: string): DomainError {
  return new DomainError('INVALID_IMAGE', `${ctx.field}: expected at most ${ctx.maxBytes} bytes of image, got ${got}`, {
    field: ctx.field,
  });
}

/**
 * Downloads the image a URL points at, within `policy`. Resolves to the body
 * of the final 200 response.
 *
 * @throws DomainError INVALID_INPUT for a URL, redirect, host, address,
 *   status, connection or deadline the policy refuses; INVALID_IMAGE for a
 *   body over `maxBytes`.
 * @throws `signal.reason` when the caller aborts (not a DomainError: the
 *   caller gave up, nothing was wrong with the input).
 */
export async function fetchImage(url: string, policy: FetchPolicy, signal?: AbortSignal): Promise<Uint8Array> {
  const field = policy.field ?? 'input.image.url';
  if (policy.allowedHosts.length === 0) {
    throw new DomainError('INVALID_INPUT', `${field}: image URLs are not enabled on this gateway; send the bytes as base64`, { field });
  }
  signal?.throwIfAborted();
  const timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMED_OUT), timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const ctx: Ctx = { policy, field, signal: controller.signal, maxBytes: policy.maxBytes ?? MAX_IMAGE_BYTES };
  const maxRedirects = policy.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  try {
    let next = url;
    for (let hop = 0; ; hop++) {
      const target = await checkHop(ctx, next, hop);
      const outcome = await get(ctx, target, hop);
      if (outcome.body) return outcome.body;
      if (hop >= maxRedirects) throw refuse(ctx, `at most ${maxRedirects} redirect${maxRedirects === 1 ? '' : 's'}`, 'more');
      try {
        next = new URL(outcome.location, target.url).href;
      } catch {
        throw refuse(ctx, 'a redirect to a valid URL', 'a malformed Location', hop + 1);
      }
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (controller.signal.aborted) {
      if (controller.signal.reason === TIMED_OUT) throw refuse(ctx, `the image within ${timeoutMs} ms`, 'no complete response in time');
      throw controller.signal.reason;
    }
    throw e;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Whether `hostname` (normalised) is allowed by one of the patterns. */
export function hostAllowed(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const hostIsIp = parseIp(host) !== undefined;
  for (const raw of patterns) {
    const pattern = raw.trim().toLowerCase().replace(/\.$/, '');
    if (hostIsIp) {
      if (parseIp(pattern) && sameIp(host, pattern)) return true;
      continue;
    }
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1); // ".example.com"
      if (suffix.length > 1 && host.endsWith(suffix)) {
        const label = host.slice(0, -suffix.length);
        if (label.length > 0 && !label.includes('.')) return true;
      }
    } else if (pattern === host) {
      return true;
    }
  }
  return false;
}

/** Races a promise against the fetch's abort signal. */
function abortable<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Checks one URL against the policy and resolves its host: everything before a byte is sent. */
async function checkHop(ctx: Ctx, text: string, hop: number): Promise<Hop> {
  const { policy } = ctx;
  const maxLength = policy.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH;
  if (text.length > maxLength) throw refuse(ctx, `a URL of at most ${maxLength} characters`, `${text.length}`, hop);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse(ctx, 'an absolute https URL', 'a malformed URL', hop);
  }
  const schemes = policy.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    const expected = policy.allowHttp ? 'an https or http URL' : 'an https URL';
    const scheme = /^[a-z][a-z0-9+.-]{0,15}:$/.test(url.protocol) ? url.protocol : 'another scheme';
    throw refuse(ctx, expected, `a ${JSON.stringify(scheme.replace(/:$/, ''))} URL`, hop);
  }
  if (url.username !== '' || url.password !== '') {
    throw refuse(ctx, 'a URL without credentials', 'one with a user name or password', hop);
  }
  let hostname = url.hostname;
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  hostname = hostname.replace(/\.$/, '');
  if (hostname === '') throw refuse(ctx, 'a URL with a host', 'none', hop);
  const literal = parseIp(hostname) !== undefined;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const ports = policy.allowedPorts ?? (policy.allowHttp ? [443, 80] : [443]);
  if (!ports.includes(port)) throw refuse(ctx, `port ${ports.join(' or ')}`, `${port}`, hop);
  if (!hostAllowed(hostname, policy.allowedHosts)) {
    const shown = hostname.length > 80 ? `a ${hostname.length}-character host` : JSON.stringify(hostname);
    throw refuse(ctx, 'a host this gateway is allowed to fetch images from', shown, hop);
  }

  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: hostname, family: parseIp(hostname)?.family ?? 0 }];
  } else {
    let answer: readonly ResolvedAddress[];
    try {
      answer = await abortable(ctx.signal, (policy.resolve ?? defaultResolver)(hostname));
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      throw refuse(ctx, 'a host name that resolves', `${JSON.stringify(hostname)} not resolving`, hop);
    }
    if (!Array.isArray(answer) || answer.length === 0) {
      throw refuse(ctx, 'a host name that resolves', `${JSON.stringify(hostname)} without addresses`, hop);
    }
    addresses = answer.map((a) => ({ address: String(a.address), family: parseIp(String(a.address))?.family ?? 0 }));
  }
  // Every address must pass: a mix of public and private answers is a rebinding attempt.
  for (const { address } of addresses) {
    const category = classifyIp(address);
    if (!addressAllowed(category, policy)) {
      const got = literal
        ? `${JSON.stringify(hostname)}, ${describeCategory(category)}`
        : `${JSON.stringify(hostname)} resolving to ${describeCategory(category)}`;
      throw refuse(ctx, 'a host with public addresses only', got, hop);
    }
  }
  return { url, hostname, literal, port, addresses };
}

function addressAllowed(category: AddressCategory, policy: FetchPolicy): boolean {
  return category === 'public' || (category === 'loopback' && policy.allowLoopback === true);
}

type HopOutcome = { body: Uint8Array; location?: undefined } | { body?: undefined; location: string };

/** A safe way to name a socket/TLS/parser failure: its code, never its message (which can hold addresses). */
function failureCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : 'unknown';
}

function connectionFailure(ctx: Ctx, hop: Hop, index: number, e: unknown): DomainError {
  const code = failureCode(e);
  if (code.startsWith('HPE_')) return refuse(ctx, 'a well-formed HTTP response', `a malformed one (${code})`, index);
  const network = /^E[A-Z]+$/.test(code) || code === 'unknown';
  if (hop.url.protocol === 'https:' && !network)
    return refuse(ctx, 'a host with a valid TLS certificate', `a TLS failure (${code})`, index);
  return refuse(ctx, 'a reachable host', `a connection failure (${code})`, index);
}

/** One GET to a checked hop, connected only to its checked addresses. */
function get(ctx: Ctx, hop: Hop, index: number): Promise<HopOutcome> {
  const { policy } = ctx;
  const dial = policy.testDial
    ? policy.testDial({ hostname: hop.hostname, port: hop.port, addresses: hop.addresses })
    : { addresses: hop.addresses, port: hop.port };
  const pinned = dial.addresses.map((a) => ({ address: a.address, family: parseIp(a.address)?.family ?? 4 }));
  if (pinned.length === 0) return Promise.reject(new Error('testDial returned no addresses'));
  const lookup = (
    _name: string,
    options: { all?: boolean },
    callback: (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void,
  ): void => {
    if (options?.all) callback(null, pinned);
    else callback(null, pinned[0].address, pinned[0].family);
  };
  const headers = {
    Host: hop.url.host,
    'User-Agent': 'facegate-image-fetch',
    Accept: 'image/jpeg, image/png, image/*;q=0.8',
    'Accept-Encoding': 'identity',
    Connection: 'close',
  };
  const common: http.RequestOptions = {
    method: 'GET',
    // An IP literal is connected to directly (no lookup); a name goes through the pinned lookup,
    // and stays the TLS server name and certificate identity.
    host: hop.literal ? pinned[0].address : hop.hostname,
    port: dial.port,
    path: `${hop.url.pathname}${hop.url.search}`,
    headers,
    setHost: false,
    agent: false,
    lookup: lookup as unknown as http.RequestOptions['lookup'],
    signal: ctx.signal,
  };

  return new Promise<HopOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    const fail = (error: unknown): void =>
      settle(() => {
        req.destroy();
        reject(error);
      });
    const req =
      hop.url.protocol === 'https:'
        ? https.request({ ...common, ca: policy.tlsCa, servername: hop.literal ? undefined : hop.hostname, rejectUnauthorized: true })
        : http.request(common);
    req.on('error', (e) => fail(ctx.signal.aborted ? ctx.signal.reason : connectionFailure(ctx, hop, index, e)));
    req.on('response', (res) => {
      const remote = res.socket?.remoteAddress;
      if (!remote || !pinned.some((a) => sameIp(a.address, remote))) {
        // Cannot happen with the pinned lookup; refuse rather than trust a socket we did not choose.
        return fail(refuse(ctx, 'a connection to the checked address', 'a connection elsewhere', index));
      }
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && typeof res.headers.location === 'string' && res.headers.location !== '') {
        const location = res.headers.location;
        return settle(() => {
          req.destroy();
          resolve({ location });
        });
      }
      if (status !== 200) return fail(refuse(ctx, 'HTTP status 200', `${status}`, index));
      const declared = res.headers['content-length'];
      if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > ctx.maxBytes) {
        return fail(tooBig(ctx, `a Content-Length of ${declared}`));
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > ctx.maxBytes) return fail(tooBig(ctx, 'more'));
        chunks.push(chunk);
      });
      res.on('error', (e) =>
        fail(
          ctx.signal.aborted ? ctx.signal.reason : refuse(ctx, 'a complete response body', `a truncated one (${failureCode(e)})`, index),
        ),
      );
      res.on('aborted', () =>
        fail(ctx.signal.aborted ? ctx.signal.reason : refuse(ctx, 'a complete response body', 'a truncated one', index)),
      );
      res.on('end', () => {
        if (!res.complete) return fail(refuse(ctx, 'a complete response body', 'a truncated one', index));
        if (total === 0) return fail(refuse(ctx, 'image bytes', 'an empty body', index));
        settle(() => {
          req.destroy();
          resolve({ body: Buffer.concat(chunks, total) });
        });
      });
    });
    req.end();
  });
}
