/**
 * The one spelling of a grant, checked before any policy sees it. Grants look like `service:scope` or
 * `service:resource:scope`. A service is a built-in server's or a custom server's name: lowercase letters, digits and
 * single dashes (`github`, `my-tool`). A resource (a Postgres database) is lowercase letters, digits and
 * underscores, exactly as in its variable (`analytics_prod` for `POSTGRES_ANALYTICS_PROD_URL`). Without this, two
 * spellings mapping to one credential (`analytics-prod`, `analytics_prod`) could pass a policy written for the other.
 * In policy patterns a whole segment may be `*`.
 */
const SERVICE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const RESOURCE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const SCOPE = /^[a-z0-9]+(?:[_-][a-z0-9]+)*$/;

/** What is wrong with the spelling of `grant` (a pattern when `wildcards`), with the canonical form; undefined when fine. */
export function grantSpellingProblem(grant: string, options: { wildcards?: boolean } = {}): string | undefined {
  const wildcards = options.wildcards === true;
  const parts = grant.split(':');
  const min = wildcards ? 1 : 2;
  if (parts.length < min || parts.length > 3 || parts.some((p) => p === ''))
    return 'must look like service:scope or service:resource:scope (e.g. github:read, postgres:analytics_prod:read)';
  const star = (p: string) => wildcards && p === '*';
  const [service, ...rest] = parts as [string, ...string[]];
  const resource = rest.length === 2 ? rest[0] : undefined;
  const scope = rest.at(-1);
  if (!star(service) && !SERVICE.test(service))
    return `service '${service}' must be lowercase letters, digits and single dashes${suggest(grant, service, 'service')}`;
  if (resource !== undefined && !star(resource) && !RESOURCE.test(resource))
    return (
      `resource '${resource}' must be lowercase letters, digits and underscores, as in its variable ` +
      `(analytics_prod for POSTGRES_ANALYTICS_PROD_URL)${suggest(grant, resource, 'resource')}`
    );
  if (scope !== undefined && !star(scope) && !SCOPE.test(scope))
    return `scope '${scope}' must be lowercase letters and digits`;
  return undefined;
}

function suggest(grant: string, segment: string, kind: 'service' | 'resource'): string {
  const lower = segment.toLowerCase();
  const fixed = kind === 'service' ? lower.replace(/_+/g, '-') : lower.replace(/-+/g, '_');
  if (fixed === segment) return '';
  const parts = grant.split(':');
  const at = kind === 'service' ? 0 : 1;
  parts[at] = fixed;
  return `: write ${parts.join(':')}`;
}
