import { grantMatches } from './grant-pattern.js';

/** True when one of the agent's grants (which may themselves be patterns such as `github:*`) covers `needed`. */
export function holdsGrant(held: readonly string[], needed: string): boolean {
  return held.some((g) => grantMatches(g, needed));
}
