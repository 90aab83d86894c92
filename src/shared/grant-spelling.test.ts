// One spelling per grant, before any policy sees it: `postgres:analytics-prod:write` and `postgres:analytics_prod:write`
// both map to POSTGRES_ANALYTICS_PROD_URL, so only the underscore form is a grant; a policy denying it cannot be
// bypassed with the other. Custom server names (services) take dashes only, for the same reason (MY_TOOL_ prefix).
import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../agents/definition-schema.js';
import { permissionPolicySchema } from '../mcp/permission-policy.js';
import { grantSpellingProblem } from './grant-spelling.js';

describe('grant spelling', () => {
  it.each([
    'github:read',
    'hub:write',
    'postgres:analytics_prod:read',
    'postgres:test:write',
    'my-tool:use',
    'brave:search',
  ])('accepts %s', (grant) => expect(grantSpellingProblem(grant)).toBeUndefined());

  it.each([
    ['postgres:analytics-prod:write', 'write postgres:analytics_prod:write'],
    ['postgres:Analytics_Prod:read', 'write postgres:analytics_prod:read'],
    ['my_tool:use', 'write my-tool:use'],
    ['github', 'must look like service:scope'],
    ['github::read', 'must look like service:scope'],
    ['a:b:c:d', 'must look like service:scope'],
    ['postgres:*:read', "resource '*'"],
  ])('refuses %s, naming the one spelling', (grant, message) => expect(grantSpellingProblem(grant)).toContain(message));

  it('patterns may use * for a whole segment, in the same spelling', () => {
    for (const p of ['github:*', 'postgres:*', 'postgres:*:write', 'postgres:analytics_prod:*', '*'])
      expect(grantSpellingProblem(p, { wildcards: true })).toBeUndefined();
    expect(grantSpellingProblem('postgres:analytics-prod:write', { wildcards: true })).toContain(
      'write postgres:analytics_prod:write',
    );
  });

  it('a definition with the dashed spelling is refused at validation, so a policy on the other never sees it', () => {
    const r = agentConfigSchema.safeParse({
      name: 'sneaky',
      type: 'native',
      capabilities: { grants: ['postgres:analytics-prod:write'] },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('write postgres:analytics_prod:write');
    expect(
      agentConfigSchema.safeParse({
        name: 'ok',
        type: 'native',
        capabilities: { grants: ['postgres:analytics_prod:write'] },
      }).success,
    ).toBe(true);
  });

  it('a policy pattern in another spelling is refused when the policy loads', () => {
    const r = permissionPolicySchema.safeParse({ default: { denied_grants: ['postgres:analytics-prod:write'] } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('write postgres:analytics_prod:write');
  });
});
