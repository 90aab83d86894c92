/**
 * Decide which proxy, if any, a request to `target` goes through, from HTTP_PROXY / HTTPS_PROXY / NO_PROXY
 * (lowercase names win, as in curl and undici). https targets use HTTPS_PROXY, falling back to HTTP_PROXY.
 * NO_PROXY is a comma- or space-separated list of `*`, host names, domain suffixes (`.example.com`,
 * `*.example.com` or `example.com`, which also covers sub-domains) and IP literals, each optionally with
 * `:port`. CIDR ranges are not supported. Returns the proxy URL, or undefined to connect directly.
 */
export function proxyForUrl(target: string | URL, env: NodeJS.ProcessEnv): string | undefined {
  const url = typeof target === 'string' ? new URL(target) : target;
  const proxy = proxySetting(url.protocol, env);
  if (proxy === undefined) return undefined;
  return isExcluded(url, env.no_proxy ?? env.NO_PROXY ?? '') ? undefined : proxy;
}

/** True when any proxy variable is set, i.e. a dispatcher may be needed at all. */
export function hasProxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return [env.http_proxy, env.HTTP_PROXY, env.https_proxy, env.HTTPS_PROXY].some((v) => v !== undefined && v !== '');
}

function proxySetting(protocol: string, env: NodeJS.ProcessEnv): string | undefined {
  const http = nonEmpty(env.http_proxy) ?? nonEmpty(env.HTTP_PROXY);
  if (protocol === 'http:') return http;
  if (protocol === 'https:') return nonEmpty(env.https_proxy) ?? nonEmpty(env.HTTPS_PROXY) ?? http;
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isExcluded(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function splitEntry(entry: string): { name: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] ?? '', entryPort: bracketed[2] };
  const parts = entry.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1] ?? '')) return { name: parts[0] ?? '', entryPort: parts[1] };
  return { name: entry, entryPort: undefined };
}
