import { isIP } from 'node:net';

/**
 * Where a sandbox may connect through the egress proxy: `public` is any host on the public internet; a list holds
 * domain patterns (`api.github.com`, `*.example.com` for its subdomains, either with an optional `:port`).
 * Either way, a host that resolves to a loopback, private, link-local or otherwise non-public address is refused.
 */
export type EgressPolicy = { readonly allow: 'public' } | { readonly allow: readonly string[] };

/** One parsed allowlist entry. */
export interface DomainPattern {
  /** Lowercase domain, without the `*.` prefix. */
  readonly domain: string;
  /** `*.domain`: any subdomain of `domain` (not `domain` itself). */
  readonly subdomains: boolean;
  /** Only this port; undefined: any port. */
  readonly port: number | undefined;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const PATTERN = new RegExp(`^(\\*\\.)?(${LABEL}(?:\\.${LABEL})+)(?::(\\d{1,5}))?$`);
const EXAMPLES = 'api.github.com, *.example.com for its subdomains, optionally with a port (api.github.com:443)';

/** Parse one allowlist entry (case-insensitive), or say what is wrong with it. */
export function parseDomainPattern(text: string): { pattern: DomainPattern } | { problem: string } {
  const entry = text.toLowerCase();
  const quoted = JSON.stringify(text);
  const hostPart = entry.replace(/:\d*$/, '');
  if (/^\*(\.[^.]*)?$/.test(hostPart)) {
    return { problem: `${quoted} is too broad; use network: true for the public internet` };
  }
  if (isIP(hostPart.replace(/^\[(.*)\]$/, '$1')) || /(^|\.)\d+$/.test(hostPart)) {
    return { problem: `${quoted} is an IP address; list domain names (${EXAMPLES})` };
  }
  const match = PATTERN.exec(entry);
  if (!match || (match[2] ?? '').length > 253) {
    return { problem: `${quoted} is not a domain pattern; use a host name such as ${EXAMPLES}` };
  }
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65_535)) {
    return { problem: `${quoted} has an invalid port; use 1-65535` };
  }
  return { pattern: { domain: match[2] ?? '', subdomains: match[1] !== undefined, port } };
}

/** Whether `host` (lowercase, normalised) on `port` matches `pattern`. */
export function matchesPattern(pattern: DomainPattern, host: string, port: number): boolean {
  if (pattern.port !== undefined && pattern.port !== port) return false;
  return pattern.subdomains ? host.endsWith(`.${pattern.domain}`) : host === pattern.domain;
}

/** A policy ready to answer "may this host name be tried at all?" (the address check comes after resolution). */
export interface HostFilter {
  allowsHost(host: string, port: number): boolean;
}

/**
 * Compile `policy`. IP literal hosts never match a domain list (only `public` lets them through to the address check).
 * @throws TypeError naming the first invalid pattern
 */
export function compileEgressPolicy(policy: EgressPolicy): HostFilter {
  if (policy.allow === 'public') return { allowsHost: () => true };
  const patterns = policy.allow.map((text) => {
    const parsed = parseDomainPattern(text);
    if ('problem' in parsed) throw new TypeError(`egress policy: ${parsed.problem}`);
    return parsed.pattern;
  });
  return {
    allowsHost: (host, port) => isIP(host) === 0 && patterns.some((p) => matchesPattern(p, host, port)),
  };
}

/**
 * The egress policy for an agent definition's `sandbox.network`: `false`/absent → undefined (no network at all),
 * `true` → the public internet, a list → those domains only.
 */
export function egressPolicyFor(network: boolean | readonly string[] | undefined): EgressPolicy | undefined {
  if (network === undefined || network === false) return undefined;
  if (network === true) return { allow: 'public' };
  return { allow: [...network] };
}
