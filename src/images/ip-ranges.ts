/**
 * Address classification for outgoing fetches (SSRF defence): is an IP
 * address a public unicast address the gateway may connect to, and if not,
 * which kind of address is it (so refusals can name the category without
 * echoing the address).
 *
 * Pure functions over text, no I/O. Parsing is strict: IPv4 only as four
 * decimal octets without leading zeros (what `dns.lookup` and the WHATWG URL
 * parser produce; "0x7f.1", "2130706433" or "0177.0.0.1" are `invalid`, never
 * guessed at), IPv6 as RFC 4291 text with an optional trailing dotted quad and
 * an optional zone ("%eth0").
 *
 * Ranges follow the IANA IPv4 and IPv6 Special-Purpose Address Registries.
 * Anything that is not clearly global unicast is refused: for IPv6 only
 * 2000::/3 can be public, and addresses that embed an IPv4 address
 * (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64 64:ff9b::/96, 6to4)
 * are judged by the embedded address.
 */

/** What kind of address a text is; only `public` may be connected to. */
export type AddressCategory =
  | 'public'
  /** 0.0.0.0/8 ("this network", 0.0.0.0 reaches the local host on Linux) and `::`. */
  | 'unspecified'
  /** 127.0.0.0/8 and ::1. */
  | 'loopback'
  /** 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 (deprecated site-local), 64:ff9b:1::/48. */
  | 'private'
  /** 169.254/16 (cloud metadata services live at 169.254.169.254) and fe80::/10. */
  | 'link-local'
  /** 100.64/10, carrier-grade NAT. */
  | 'shared'
  /** 224/4 and ff00::/8. */
  | 'multicast'
  /** 255.255.255.255. */
  | 'broadcast'
  /** 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20. */
  | 'documentation'
  /** 198.18/15 and 2001:2::/48. */
  | 'benchmarking'
  /** Every other special-purpose or unallocated range (240/4, 192.0.0/24, Teredo, outside 2000::/3, ...). */
  | 'reserved'
  /** Not an IP address (or a zone on an address that cannot have one). */
  | 'invalid';

/** A parsed address: 4 bytes for IPv4, 16 for IPv6. */
export interface ParsedIp {
  family: 4 | 6;
  bytes: number[];
  /** The IPv6 zone ("%eth0" without the "%"), if any. */
  zone?: string;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** Parses strict dotted-quad IPv4 text to 4 bytes. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseHextets(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  for (const group of text.split(':')) {
    if (!HEXTET.test(group)) return undefined;
    out.push(parseInt(group, 16));
  }
  return out;
}

/** Parses IPv6 text (no brackets, no zone) to 16 bytes. */
export function parseIPv6(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    if (lastColon < 0) return undefined;
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    const withColon = text.slice(0, lastColon + 1);
    head = withColon.endsWith('::') ? withColon : text.slice(0, lastColon);
  }
  const needed = tail.length ? 6 : 8;
  let groups: number[];
  const gap = head.indexOf('::');
  if (gap >= 0) {
    if (gap !== head.lastIndexOf('::')) return undefined;
    const left = parseHextets(head.slice(0, gap));
    const right = parseHextets(head.slice(gap + 2));
    if (!left || !right || left.length + right.length > needed - 1) return undefined;
    groups = [...left, ...new Array<number>(needed - left.length - right.length).fill(0), ...right];
  } else {
    const all = parseHextets(head);
    if (!all || all.length !== needed) return undefined;
    groups = all;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return [...bytes, ...tail];
}

/** Parses an IPv4 or IPv6 address (IPv6 optionally in brackets, optionally with a zone). */
export function parseIp(text: string): ParsedIp | undefined {
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (!t.includes(':')) {
    const v4 = parseIPv4(t);
    return v4 && { family: 4, bytes: v4 };
  }
  let zone: string | undefined;
  const pct = t.indexOf('%');
  if (pct >= 0) {
    zone = t.slice(pct + 1);
    t = t.slice(0, pct);
    if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(zone)) return undefined;
  }
  const v6 = parseIPv6(t);
  if (!v6) return undefined;
  return zone === undefined ? { family: 6, bytes: v6 } : { family: 6, bytes: v6, zone };
}

/** Whether `bytes` starts with the first `bits` bits of `prefix`. */
function inPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

const V4_RANGES: ReadonlyArray<readonly [number[], number, AddressCategory]> = [
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmarking'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

/** Category of 4 IPv4 bytes. */
export function classifyIPv4Bytes(bytes: readonly number[]): AddressCategory {
  for (const [prefix, bits, category] of V4_RANGES) if (inPrefix(bytes, prefix, bits)) return category;
  return 'public';
}

const hex = (s: string): number[] => {
  const parsed = parseIPv6(s);
  if (!parsed) throw new Error(`bad constant ${s}`);
  return parsed;
};

/** Checked in order; the first match wins. */
const V6_RANGES: ReadonlyArray<readonly [number[], number, AddressCategory]> = [
  [hex('fe80::'), 10, 'link-local'],
  [hex('fec0::'), 10, 'private'],
  [hex('fc00::'), 7, 'private'],
  [hex('ff00::'), 8, 'multicast'],
  [hex('64:ff9b:1::'), 48, 'private'],
  [hex('100::'), 64, 'reserved'],
  [hex('2001:db8::'), 32, 'documentation'],
  [hex('3fff::'), 20, 'documentation'],
  [hex('2001:2::'), 48, 'benchmarking'],
  [hex('2001::'), 23, 'reserved'],
];

/** Category of 16 IPv6 bytes, judging embedded IPv4 addresses by themselves. */
export function classifyIPv6Bytes(bytes: readonly number[]): AddressCategory {
  const first12Zero = bytes.slice(0, 12).every((b) => b === 0);
  if (first12Zero) {
    if (bytes.slice(12).every((b) => b === 0)) return 'unspecified';
    if (bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0 && bytes[15] === 1) return 'loopback';
    // IPv4-compatible (::a.b.c.d, deprecated): never public, named after the embedded address when that is special.
    const embedded = classifyIPv4Bytes(bytes.slice(12));
    return embedded === 'public' ? 'reserved' : embedded;
  }
  // IPv4-mapped ::ffff:a.b.c.d — connecting to it reaches the IPv4 address itself.
  if (inPrefix(bytes, hex('::ffff:0:0'), 96)) return classifyIPv4Bytes(bytes.slice(12));
  // IPv4-translated ::ffff:0:a.b.c.d (SIIT) and NAT64 64:ff9b::/96: a translator reaches the IPv4 address.
  if (inPrefix(bytes, hex('::ffff:0:0:0'), 96)) return classifyIPv4Bytes(bytes.slice(12));
  if (inPrefix(bytes, hex('64:ff9b::'), 96)) return classifyIPv4Bytes(bytes.slice(12));
  // 6to4 2002:aabb:ccdd::/48 tunnels to a.b.c.d.
  if (inPrefix(bytes, hex('2002::'), 16)) {
    const embedded = classifyIPv4Bytes(bytes.slice(2, 6));
    return embedded === 'public' ? 'public' : embedded;
  }
  for (const [prefix, bits, category] of V6_RANGES) if (inPrefix(bytes, prefix, bits)) return category;
  // Only 2000::/3 is allocated as global unicast.
  if ((bytes[0] & 0xe0) !== 0x20) return 'reserved';
  return 'public';
}

/**
 * Category of an address given as text (IPv6 may be bracketed and may carry
 * a zone). Zones only make sense on link-local and multicast addresses; a
 * zone on anything else is `invalid`.
 */
export function classifyIp(text: string): AddressCategory {
  const ip = parseIp(text);
  if (!ip) return 'invalid';
  const category = ip.family === 4 ? classifyIPv4Bytes(ip.bytes) : classifyIPv6Bytes(ip.bytes);
  if (ip.zone !== undefined && category !== 'link-local' && category !== 'multicast') return 'invalid';
  return category;
}

/** Whether an address is public unicast (the only kind the image fetcher connects to by default). */
export function isPublicUnicast(text: string): boolean {
  return classifyIp(text) === 'public';
}

/** Whether a text is an IP address (v4, or v6 with or without brackets). */
export function isIpLiteral(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** Whether two texts name the same address ("::ffff:1.2.3.4" and "::ffff:102:304" do; 1.2.3.4 and its mapped form do not). */
export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return !!x && !!y && x.family === y.family && x.bytes.every((v, i) => v === y.bytes[i]);
}

const DESCRIPTIONS: Record<AddressCategory, string> = {
  public: 'a public address',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  shared: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  reserved: 'a reserved address',
  invalid: 'an invalid address',
};

/** "a private address" etc.: how a refusal names an address without echoing it. */
export function describeCategory(category: AddressCategory): string {
  return DESCRIPTIONS[category];
}
