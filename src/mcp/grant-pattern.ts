/**
 * Grants look like `service:scope` or `service:resource:scope` (`github:read`, `postgres:test:write`). A pattern is
 * a grant whose segments may be `*` (`github:*`, `postgres:*:write`); `*` matches exactly one segment, and a
 * trailing `*` also matches any remaining segments (`postgres:*` matches `postgres:test:read`).
 */
export function grantMatches(pattern: string, grant: string): boolean {
  const p = pattern.split(':');
  const g = grant.split(':');
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    if (seg === '*' && i === p.length - 1) return g.length >= p.length;
    if (g[i] === undefined) return false;
    if (seg !== '*' && seg !== g[i]) return false;
  }
  return p.length === g.length;
}
