import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../shared/errors.js';
import { FileAgentDefinitions } from './agent-definitions.js';
import { loadSkill } from './skill.js';

/** Result of validating one agent or skill. */
export interface ValidationResult {
  kind: 'agent' | 'skill';
  name: string;
  ok: boolean;
  errors: string[];
  warnings: string[];
}

/** Validate every agent under agents/ and every skill under skills/ of a definitions folder. */
export async function validateDefinitions(root: string): Promise<ValidationResult[]> {
  const definitions = new FileAgentDefinitions({ root });
  const results: ValidationResult[] = [];
  const agentDirs = await readdir(join(definitions.root, 'agents')).catch(() => [] as string[]);
  for (const name of agentDirs.sort()) {
    try {
      const def = await definitions.load(name);
      results.push({ kind: 'agent', name, ok: true, errors: [], warnings: def.warnings });
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
