import type { AgentDefinitions } from '../agents/agent-definitions.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import { keyBindingsFromEnv } from '../executors/native/key-bindings-from-env.js';
import { errorMessage } from '../shared/errors.js';
import { planBrain, type BrainPlan } from './brain-routing.js';

/** What the dev mode found for one agent of the definitions folder. */
export type AgentPlan =
  | { name: string; status: 'live'; type: string; brain: BrainPlan }
  /** Valid, but its executor cannot run here (e.g. `claude-code` without the CLI executor). */
  | { name: string; status: 'unavailable'; type: string; reason: string }
  /** The definition does not load (the reason names file and field), or its key is not bound to its endpoint. */
  | { name: string; status: 'invalid'; reason: string };

/** Load every agent once and decide how it will run: live (and on which brain), unavailable, or invalid. */
export async function planAgents(
  definitions: AgentDefinitions,
  executors: ExecutorRegistry,
  env: NodeJS.ProcessEnv,
): Promise<AgentPlan[]> {
  const plans: AgentPlan[] = [];
  const bindings = await keyBindingsFromEnv(env);
  for (const name of await definitions.list()) {
    let definition;
    try {
      definition = await definitions.load(name);
    } catch (error) {
      plans.push({ name, status: 'invalid', reason: errorMessage(error) });
      continue;
    }
    const type = definition.config.type;
    try {
      await executors.resolve(type);
    } catch (error) {
      plans.push({ name, status: 'unavailable', type, reason: errorMessage(error) });
      continue;
    }
    const brain = planBrain(definition, env, bindings);
    if ('problem' in brain) plans.push({ name, status: 'invalid', reason: brain.problem });
    else plans.push({ name, status: 'live', type, brain });
  }
  return plans;
}

/** The key variables of the live agents (the ones the offline brain may stand in for). */
export function keyEnvsOf(plans: readonly AgentPlan[]): string[] {
  return [...new Set(plans.flatMap((p) => (p.status === 'live' ? [p.brain.keyEnv] : [])))];
}
