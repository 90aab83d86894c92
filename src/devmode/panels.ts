import type { WebPanelItem } from '../devhub/dev-hub-context.js';
import type { AgentPlan } from './agent-plans.js';
import type { BrainPlan } from './brain-routing.js';

/** `claude-sonnet-4-6 (anthropic)` or `llama3 (openai-compatible at http://localhost:11434/v1)`. */
export function describeModel(brain: BrainPlan): string {
  const where = brain.apiBase ? `${brain.provider} API at ${brain.apiBase}` : brain.provider;
  return `${brain.model} (${where})`;
}

/** What answers for this agent, in a few words. */
export function describeBrain(brain: BrainPlan): string {
  switch (brain.mode) {
    case 'real':
      return `${describeModel(brain)}, key from ${brain.keyEnv}`;
    case 'local':
      return `${describeModel(brain)}, local server, no key needed`;
    case 'offline':
      return `offline brain: set ${brain.keyEnv} for real answers (${brain.model})`;
  }
}

/** One row per agent for the page's "Agents and brains" panel. */
export function agentPanelItems(plans: readonly AgentPlan[]): WebPanelItem[] {
  return plans.map((p) => {
    switch (p.status) {
      case 'live':
        return {
          id: p.name,
          title: `@${p.name}`,
          status: p.brain.mode === 'offline' ? 'offline brain' : 'live',
          detail: describeBrain(p.brain),
        };
      case 'unavailable':
        return { id: p.name, title: `@${p.name}`, status: 'not available', detail: p.reason };
      case 'invalid':
        return { id: p.name, title: `@${p.name}`, status: 'invalid', detail: p.reason };
    }
  });
}
