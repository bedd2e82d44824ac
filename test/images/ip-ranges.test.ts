/**
 * Address classification behind the image fetcher's SSRF defence: every
 * special-purpose range is refused, only global unicast is `public`, and
 * embedded IPv4 addresses are judged by the address they reach.
 */
import { describe, expect, it } from 'vitest';
import {
  type AddressCategory,
  classifyIp,
  describeCategory,
  isIpLiteral,
  isPublicUnicast,
  parseIp,
  parseIPv6,
  sameIp,
} from '../../dist/src/images/ip-ranges.js';

const CASES: Record<AddressCategory, string[]> = {
  public: [
    '1.1.1.1',
    '8.8.8.8',
    '93.184.216.34',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.255',
    '192.0.3.0',
    '192.88.98.255',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '198.51.99.255',
    '203.0.112.255',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001:80b::200e',
    '2000::',
    '3ffe:ffff::1',
    '2002:808:808::1', // 6to4 of 8.8.8.8
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '::ffff:8.8.8.8',
    '::ffff:808:808', // IPv4-mapped public
    '2001:200::1', // just past 2001::/23
  ],
  unspecified: ['0.0.0.0', '0.1.2.3', '0.255.255.255', '::', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0', '::ffff:0.0.0.1'],
  loopback: [
    '127.0.0.1',
    '127.0.0.0',
    '127.1.2.3',
    '127.255.255.255',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::0.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.1.1.1',
    '::ffff:0:127.0.0.1',
    '::127.0.0.1',
    '64:ff9b::127.0.0.1',
    '2002:7f00:1::1',
    '[::1]',
  ],
  private: [
    '10.0.0.0',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.0',
    '172.16.0.1',
    '172.20.10.1',
    '172.31.255.255',
    '192.168.0.0',
    '192.168.1.1',
    '192.168.255.255',
    'fc00::',
    'fc00::1',
    'fd00::1',
    'fd12:3456:789a::1',
    'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'fec0::1',
    'feff::1',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '::ffff:192.168.0.1',
    '::ffff:172.16.0.1',
    '64:ff9b::10.1.2.3',
    '64:ff9b:1::1',
    '2002:c0a8:101::1',
    '::10.0.0.1',
    'FD00::1',
    'FC00::ABCD',
  ],
  'link-local': [
    '169.254.0.0',
    '169.254.169.254',
    '169.254.170.2',
    '169.254.255.255',
    'fe80::',
    'fe80::1',
    'fe80::1ff:fe23:4567:890a',
    'febf:ffff::1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    'fe80::1%eth0',
    'fe80::1%1',
  ],
  shared: ['100.64.0.0', '100.64.0.1', '100.100.100.200', '100.127.255.255', '::ffff:100.64.0.1'],
  multicast: [
    '224.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '239.255.255.255',
    'ff00::',
    'ff02::1',
    'ff05::1:3',
    'ffff::1',
    '::ffff:224.0.0.1',
    'ff02::1%eth0',
  ],
  broadcast: ['255.255.255.255', '::ffff:255.255.255.255', '::ffff:ffff:ffff'],
  documentation: [
    '192.0.2.0',
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.255',
    '2001:db8::',
    '2001:db8::1',
    '2001:db8:ffff::1',
    '3fff::1',
    '3fff:fff::1',
    '::ffff:192.0.2.1',
  ],
  benchmarking: ['198.18.0.0', '198.18.0.1', '198.19.255.255', '2001:2::1', '2001:2:0:ffff::1'],
  reserved: [
    '240.0.0.0',
    '240.0.0.1',
    '250.1.2.3',
    '255.255.255.254',
    '192.0.0.0',
    '192.0.0.8',
    '192.0.0.170',
    '192.88.99.1',
    '2001::1', // Teredo
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:10::1',
    '2001:1ff:ffff::1', // rest of 2001::/23
    '100::1',
    '100::ffff:ffff:ffff:ffff', // discard-only
    '::8.8.8.8',
    '::1.2.3.4', // IPv4-compatible (deprecated) of a public address
    '::1:0:0',
    '::fffe:0:0',
    '1::',
    '1fff:ffff::1',
    '4000::1',
    'e000::1',
    'fe00::1',
    '5f00::1', // outside 2000::/3
    '::ffff:240.0.0.1',
  ],
  invalid: [
    '',
    ' ',
    'localhost',
    'example.com',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '1.2.3.-1',
    '01.2.3.4',
    '1.2.3.04',
    '0x7f.0.0.1',
    '0177.0.0.1',
    '2130706433',
    '127.1',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1..2.3',
    '::1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    ':::',
    '12345::',
    'g::1',
    '1:2:3:4:5:6:7:8::',
    '::ffff:1.2.3',
    '::ffff:256.1.1.1',
    '1.2.3.4::',
    '[::1',
    '::1]',
    '1.2.3.4%eth0',
    '2606:4700::1%eth0',
    '::1%eth0',
    'fe80::1%',
    'fe80::1%a b',
    ':1::',
    '1::2:',
  ],
};

describe('classifyIp', () => {
  for (const [category, addresses] of Object.entries(CASES) as [AddressCategory, string[]][]) {
    it.each(addresses)(`%s is ${category}`, (address) => {
      expect(classifyIp(address)).toBe(category);
      expect(isPublicUnicast(address)).toBe(category === 'public');
    });
  }

  it('refuses every mapped, translated, compatible, NAT64 and 6to4 form of a refused IPv4 address', () => {
    const refusedV4 = [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.5.4',
      '192.168.9.9',
      '169.254.169.254',
      '100.64.1.1',
      '0.0.0.0',
      '224.1.1.1',
      '255.255.255.255',
      '240.1.1.1',
    ];
    for (const v4 of refusedV4) {
      const [a, b, c, d] = v4.split('.').map(Number);
      const h1 = ((a << 8) | b).toString(16);
      const h2 = ((c << 8) | d).toString(16);
      const forms = [
        `::ffff:${v4}`,
        `::ffff:${h1}:${h2}`,
        `::ffff:0:${v4}`,
        `64:ff9b::${v4}`,
        `64:ff9b::${h1}:${h2}`,
        `2002:${h1}:${h2}::1`,
        `::${v4}`,
      ];
      for (const form of forms) expect(classifyIp(form), form).not.toBe('public');
      expect(classifyIp(`::ffff:${v4}`)).toBe(classifyIp(v4));
    }
  });
});

describe('parseIp', () => {
  it('parses IPv4, IPv6, embedded dotted quads, brackets and zones', () => {
    expect(parseIp('1.2.3.4')).toEqual({ family: 4, bytes: [1, 2, 3, 4] });
    expect(parseIp('::1')).toEqual({ family: 6, bytes: [...new Array(15).fill(0), 1] });
    expect(parseIp('[::1]')).toEqual({ family: 6, bytes: [...new Array(15).fill(0), 1] });
    expect(parseIp('fe80::1%eth0')?.zone).toBe('eth0');
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4]);
    expect(parseIPv6('1::')).toEqual([0, 1, ...new Array(14).fill(0)]);
    expect(parseIPv6('1:2:3:4:5:6:7::')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]);
    expect(parseIPv6('::2:3:4:5:6:7:8')).toEqual([0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(parseIPv6('1:2:3:4:5:6:7:8::')).toBeUndefined();
    expect(parseIPv6('1:2:3:4::5:6:7:8')).toBeUndefined();
    expect(parseIPv6('1:2:3:4:5:6:7:1.2.3.4')).toBeUndefined();
  });

  it('is an IP literal exactly when it parses', () => {
    expect(isIpLiteral('127.0.0.1')).toBe(true);
    expect(isIpLiteral('[2001:db8::1]')).toBe(true);
    expect(isIpLiteral('example.com')).toBe(false);
    expect(isIpLiteral('2130706433')).toBe(false);
  });
});

describe('sameIp', () => {
  it('compares addresses, not spellings', () => {
    expect(sameIp('::1', '0:0:0:0:0:0:0:1')).toBe(true);
    expect(sameIp('::ffff:1.2.3.4', '::ffff:102:304')).toBe(true);
    expect(sameIp('[2001:db8::1]', '2001:DB8:0::1')).toBe(true);
    expect(sameIp('1.2.3.4', '1.2.3.4')).toBe(true);
    expect(sameIp('1.2.3.4', '::ffff:1.2.3.4')).toBe(false);
    expect(sameIp('1.2.3.4', '1.2.3.5')).toBe(false);
    expect(sameIp('nope', 'nope')).toBe(false);
  });
});

describe('describeCategory', () => {
  it('names every category without any address in it', () => {
    for (const category of Object.keys(CASES) as AddressCategory[]) {
      const text = describeCategory(category);
      expect(text).toMatch(/^(a|an|the) [a-z -]+ address$/i);
      expect(text).not.toMatch(/\d/);
    }
    expect(describeCategory('private')).toBe('a private address');
    expect(describeCategory('link-local')).toBe('a link-local address');
  });
});
