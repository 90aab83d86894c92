import { holdsGrant } from './holds-grant.js';
import { policyVerdict, type PermissionPolicy } from './permission-policy.js';

/**
 * An agent's grants after the cluster policy. Concrete grants the policy refuses are dropped up front (and listed
 * in `denied` for the `grant_denied` warning). A wildcard grant of the agent (`github:*`) is kept, and every check
 * of a concrete grant (`github:write`) asks the policy again, so `github:*` cannot widen past a `denied_grants`.
 */
export class GrantSet {
  readonly held: readonly string[];
  readonly denied: readonly { grant: string; rule: string }[];

  constructor(
    private readonly agent: string,
    grants: readonly string[],
    private readonly policy?: PermissionPolicy,
  ) {
    const held: string[] = [];
    const denied: { grant: string; rule: string }[] = [];
    for (const g of grants) {
      const verdict = g.includes('*') ? policyVerdictForPattern(policy, agent, g) : policyVerdict(policy, agent, g);
      if (verdict.allowed) held.push(g);
      else denied.push({ grant: g, rule: verdict.rule ?? 'denied' });
    }
    this.held = held;
    this.denied = denied;
  }

  /** True when the agent holds `needed` (directly or through a wildcard) and the policy allows it. */
  has(needed: string): boolean {
    return holdsGrant(this.held, needed) && policyVerdict(this.policy, this.agent, needed).allowed;
  }

  /** Concrete grants of the agent whose service (first segment) is `service`. */
  ofService(service: string): string[] {
    return this.held.filter((g) => g.split(':')[0] === service);
  }
}

/** A wildcard grant is dropped only when a denied pattern covers it entirely (e.g. `aws:*` denies `aws:*`). */
function policyVerdictForPattern(policy: PermissionPolicy | undefined, agent: string, grant: string) {
  const v = policyVerdict(policy, agent, grant);
  return v.rule?.startsWith('denied_grants') ? v : { allowed: true };
}
