/**
 * True for a URL on loopback, a private network or a cluster-/site-local name: `localhost`, `*.local`,
 * `*.internal`, `*.lan`, `*.localhost`, `*.svc` and `*.cluster.local`, a single-label host (`vllm`), and IP literals in
 * 127/8, 10/8, 172.16/12, 192.168/16, 169.254/16, ::1, fc00::/7 and fe80::/10. Such an endpoint is never the public
 * provider, so it gets no LLM key unless the operator binds one to it. A URL that does not parse is not local.
 */
export function isLocalEndpoint(url: string | undefined): boolean {
  if (!url) return false;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host === '::1' ||
    (!host.includes('.') && !host.includes(':')) ||
    /\.(local|internal|lan|localhost|svc)$/.test(host) ||
    /^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.|0\.0\.0\.0$)/.test(host) ||
    /^f[cd][0-9a-f]{2}:/.test(host) ||
    /^fe[89ab][0-9a-f]:/.test(host)
  );
}
