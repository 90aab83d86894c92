import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress, type ForbiddenAddressKind } from './egress-address.js';
import type { HostFilter } from './egress-policy.js';

/** Where a client asked to go: a normalised host (lowercase, punycode, canonical IP, no brackets) and a port. */
export interface EgressTarget {
  readonly host: string;
  readonly port: number;
}

/** Resolves a host name to every address it has (the proxy vets all of them). */
export type EgressLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

/** `dns.promises.lookup(hostname, { all: true, verbatim: true })`: the system resolver, as the runner would use. */
export const systemLookup: EgressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Why the proxy did not let a request through. */
export type EgressDenyReason = 'not_allowlisted' | 'private_address' | 'dns_failed';

export type EgressDecision =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | {
      readonly ok: false;
      readonly status: 403 | 502 | 504;
      readonly reason: EgressDenyReason;
      /** One line for the client (the response body). */
      readonly message: string;
      /** The log fields beyond host/port/reason. */
      readonly detail: Readonly<Record<string, string>>;
    };

/**
 * The host of a URL authority, normalised the way clients and resolvers would read it (WHATWG URL: lowercase,
 * IDNA, `2130706433` / `0x7f000001` / `127.1` → `127.0.0.1`, IPv6 compressed), without brackets or a trailing dot.
 */
function normaliseHost(authorityHost: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`http://${authorityHost}/`);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.port || url.pathname !== '/') return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  return host === '' ? undefined : host;
}

function parsePort(text: string | undefined): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : undefined;
}

/** A CONNECT request target (`host:port`, `[v6]:port`), or undefined when it is anything else. */
export function parseConnectTarget(authority: string): EgressTarget | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s/?#@[\]:\\]+):(\d{1,5})$/.exec(authority);
  const host = match ? normaliseHost(match[1] ?? '') : undefined;
  const port = parsePort(match?.[2]);
  return host !== undefined && port !== undefined ? { host, port } : undefined;
}

/** An absolute-form plain HTTP request target (`http://host[:port]/path?query`). */
export function parseHttpTarget(
  requestUrl: string,
): { target: EgressTarget; path: string; hostHeader: string } | { problem: string } {
  const usage = 'send absolute-form http:// requests or CONNECT host:port (https) to this proxy';
  if (!/^http:\/\//i.test(requestUrl)) return { problem: `not a proxy request (${usage})` };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { problem: `malformed URL (${usage})` };
  }
  if (url.username || url.password) return { problem: 'credentials in the URL are not forwarded; send a header' };
  const host = normaliseHost(url.hostname);
  const port = url.port === '' ? 80 : parsePort(url.port);
  if (host === undefined || port === undefined) return { problem: `malformed URL (${usage})` };
  return { target: { host, port }, path: `${url.pathname}${url.search}`, hostHeader: url.host };
}

function timeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' })), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

const refused = (target: EgressTarget, why: string) =>
  `botburrow egress proxy: ${target.host}:${target.port} refused: ${why}\n`;

/**
 * Decide one request: the host name must pass `filter` (the allowlist); then it is resolved (IP literals are taken
 * as they are) and EVERY address must be public. The caller connects only to the returned addresses, so a second
 * resolution cannot swap in a private address (DNS rebinding).
 */
export async function decideEgress(
  target: EgressTarget,
  context: { filter: HostFilter; lookup: EgressLookup; dnsTimeoutMs: number },
): Promise<EgressDecision> {
  if (!context.filter.allowsHost(target.host, target.port)) {
    const message = refused(target, 'not in sandbox.network allowlist');
    return { ok: false, status: 403, reason: 'not_allowlisted', message, detail: {} };
  }
  let addresses: string[];
  if (isIP(target.host)) {
    addresses = [target.host];
  } else {
    try {
      addresses = (await timeout(context.lookup(target.host), context.dnsTimeoutMs)).map((a) => a.address);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const status = code === 'ETIMEOUT' ? 504 : 502;
      const message = `botburrow egress proxy: ${target.host} could not be resolved (${code})\n`;
      return { ok: false, status, reason: 'dns_failed', message, detail: { error: code } };
    }
  }
  if (addresses.length === 0) {
    const message = `botburrow egress proxy: ${target.host} could not be resolved (no addresses)\n`;
    return { ok: false, status: 502, reason: 'dns_failed', message, detail: { error: 'no addresses' } };
  }
  for (const address of addresses) {
    const kind: ForbiddenAddressKind | undefined = classifyAddress(address);
    if (kind !== undefined) {
      const message = refused(target, `resolves to a private address (${address}, ${kind})`);
      return { ok: false, status: 403, reason: 'private_address', message, detail: { address, address_kind: kind } };
    }
  }
  return { ok: true, addresses };
}
