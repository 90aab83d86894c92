import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { FileAgentDefinitions } from './agent-definitions.js';
import { loadSkill } from './skill.js';
import { planBrainKey, type KeyBindingContext } from '../executors/native/resolve-brain.js';

/** Result of validating one agent or skill. */
export interface ValidationResult {
  kind: 'agent' | 'skill';
  name: string;
  ok: boolean;
  errors: string[];
  warnings: string[];
}

/** Options of {@link validateDefinitions}. */
export interface ValidateOptions {
  /** The LLM key bindings to check each brain against (`llm_keys` of the permission policy); default: built-ins. */
  keyBindings?: KeyBindingContext;
}

/**
 * Validate every agent under agents/ and every skill under skills/ of a definitions folder: schema, prompt, skills,
 * and whether each brain's key may be sent to its endpoint (the runner refuses the same before any request).
 */
export async function validateDefinitions(root: string, options: ValidateOptions = {}): Promise<ValidationResult[]> {
  const bindings = options.keyBindings ?? { llmKeys: undefined };
  const definitions = new FileAgentDefinitions({ root });
  const results: ValidationResult[] = [];
  const agentDirs = await readdir(join(definitions.root, 'agents')).catch(() => [] as string[]);
  for (const name of agentDirs.sort()) {
    try {
      const def = await definitions.load(name);
      const { plan } = planBrainKey(def, bindings);
      const errors = plan.ok ? [] : [plan.problem];
      results.push({ kind: 'agent', name, ok: plan.ok, errors, warnings: def.warnings });
    } catch (error) {
      results.push({ kind: 'agent', name, ok: false, errors: errorMessage(error).split('; '), warnings: [] });
    }
  }
  const skillDirs = await readdir(join(definitions.root, 'skills')).catch(() => [] as string[]);
  for (const name of skillDirs.sort()) {
    try {
      await loadSkill(definitions.root, name);
      results.push({ kind: 'skill', name, ok: true, errors: [], warnings: [] });
    } catch (error) {
      results.push({ kind: 'skill', name, ok: false, errors: [errorMessage(error)], warnings: [] });
    }
  }
  return results;
}
