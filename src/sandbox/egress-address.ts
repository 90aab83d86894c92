import { isIPv4, isIPv6 } from 'node:net';

/**
 * Why an IP address is not a public internet address; the egress proxy never connects to one of these.
 * `private` covers RFC 1918 and IPv6 unique-local (fc00::/7); `cgnat` is 100.64.0.0/10; `reserved` covers the
 * other IANA special-purpose blocks (192.0.0.0/24, 198.18.0.0/15, 240.0.0.0/4, 6to4, Teredo, everything outside
 * IPv6 global unicast 2000::/3); `invalid` is anything that is not a plain IPv4/IPv6 address.
 */
export type ForbiddenAddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved'
  | 'invalid';

interface Block {
  prefix: number[];
  bits: number;
  kind: ForbiddenAddressKind;
}

function block(address: string, bits: number, kind: ForbiddenAddressKind): Block {
  return { prefix: isIPv4(address) ? v4Bytes(address) : v6Bytes(address), bits, kind };
}

/** IPv4 special-purpose blocks (IANA registry), most specific first. */
const V4_BLOCKS: Block[] = [
  block('255.255.255.255', 32, 'broadcast'),
  block('0.0.0.0', 8, 'unspecified'),
  block('10.0.0.0', 8, 'private'),
  block('100.64.0.0', 10, 'cgnat'),
  block('127.0.0.0', 8, 'loopback'),
  block('169.254.0.0', 16, 'link-local'),
  block('172.16.0.0', 12, 'private'),
  block('192.0.0.0', 24, 'reserved'),
  block('192.0.2.0', 24, 'documentation'),
  block('192.88.99.0', 24, 'reserved'),
  block('192.168.0.0', 16, 'private'),
  block('198.18.0.0', 15, 'reserved'),
  block('198.51.100.0', 24, 'documentation'),
  block('203.0.113.0', 24, 'documentation'),
  block('224.0.0.0', 4, 'multicast'),
  block('240.0.0.0', 4, 'reserved'),
];

/** IPv6 blocks checked before the "global unicast 2000::/3 only" rule. */
const V6_BLOCKS: Block[] = [
  block('::', 128, 'unspecified'),
  block('::1', 128, 'loopback'),
  block('fc00::', 7, 'private'),
  block('fe80::', 10, 'link-local'),
  block('ff00::', 8, 'multicast'),
  block('2001:db8::', 32, 'documentation'),
  block('3fff::', 20, 'documentation'),
  block('2001::', 23, 'reserved'),
  block('2002::', 16, 'reserved'),
];

/** IPv6 prefixes whose last 32 bits are an IPv4 address reached through them: IPv4-mapped and NAT64. */
const V4_EMBEDDING = [block('::ffff:0:0', 96, 'reserved'), block('64:ff9b::', 96, 'reserved')];
const GLOBAL_UNICAST = block('2000::', 3, 'reserved');

function v4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** 16 bytes of a valid IPv6 address (`::` and a dotted IPv4 tail expanded). */
function v6Bytes(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].flatMap((group) => {
    const n = parseInt(group, 16);
    return [n >> 8, n & 0xff];
  });
}

function inBlock(bytes: number[], b: Block): boolean {
  for (let bit = 0; bit < b.bits; bit += 8) {
    const i = bit / 8;
    const width = Math.min(8, b.bits - bit);
    const mask = (0xff << (8 - width)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((b.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(bytes: number[]): ForbiddenAddressKind | undefined {
  return V4_BLOCKS.find((b) => inBlock(bytes, b))?.kind;
}

/**
 * Classify an IP address (as DNS returns it, or a literal host; brackets and an IPv6 zone id are ignored).
 * Returns why it is not a public internet address, or undefined when it is one. IPv4-mapped (::ffff:a.b.c.d) and
 * NAT64 (64:ff9b::a.b.c.d) addresses are judged by their IPv4 address. Non-canonical IPv4 forms (`127.1`,
 * `0177.0.0.1`, `2130706433`) are `invalid` here: hosts are normalised (WHATWG URL) before they get this far.
 */
export function classifyAddress(address: string): ForbiddenAddressKind | undefined {
  const ip = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(ip)) return classifyV4(v4Bytes(ip));
  if (!isIPv6(ip)) return 'invalid';
  const bytes = v6Bytes(ip);
  if (V4_EMBEDDING.some((b) => inBlock(bytes, b))) return classifyV4(bytes.slice(12));
  const kind = V6_BLOCKS.find((b) => inBlock(bytes, b))?.kind;
  if (kind) return kind;
  return inBlock(bytes, GLOBAL_UNICAST) ? undefined : 'reserved';
}

/** True when `address` is a public internet address the egress proxy may connect to. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === undefined;
}
