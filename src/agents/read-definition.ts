import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AgentDefinition } from './agent-definition.js';
import { agentConfigSchema } from './definition-schema.js';
import { AgentDefinitionError } from './errors.js';
import { loadSkill } from './skill.js';
import { findUnknownKeys } from './unknown-keys.js';
import { parseYaml } from './yaml-source.js';

/** Paths of an agent's files under the definitions root. */
export function agentPaths(root: string, name: string): { dir: string; config: string; systemPrompt: string } {
  const dir = resolve(root, 'agents', name);
  return { dir, config: join(dir, 'config.yaml'), systemPrompt: join(dir, 'system-prompt.md') };
}

/**
 * A definition file's text, or undefined when it does not exist. Read synchronously: these are small local files
 * (a ConfigMap or the git-sync checkout) read on every cache miss, and a promise read costs several thread-pool
 * round trips (open, fstat, read, close) for a few kilobytes.
 */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw error;
  }
}

/**
 * Read, parse and validate one agent from disk (no cache).
 * @throws AgentDefinitionError: `Agent config not found: <full path>`, invalid YAML/schema naming file, field and line,
 * missing system prompt, invalid or missing skills
 */
export async function readAgentDefinition(root: string, name: string): Promise<AgentDefinition> {
  const paths = agentPaths(root, name);
  const text = readText(paths.config);
  if (text === undefined) {
    throw new AgentDefinitionError('agent_config_not_found', `Agent config not found: ${paths.config}`, {
      data: { agent_id: name },
    });
  }
  const { source, errors } = parseYaml(text, paths.config);
  if (!source) throw new AgentDefinitionError('agent_config_invalid', errors.join('; '), { data: { agent_id: name } });
  const parsed = agentConfigSchema.safeParse(source.value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path as (string | number)[];
      return `${paths.config}:${source.lineOf(path) ?? 1}: ${path.join('.') || '(root)'}: ${issue.message}`;
    });
    throw new AgentDefinitionError('agent_config_invalid', problems.join('; '), { data: { agent_id: name } });
  }
  const config = parsed.data;
  if (config.name !== name) {
    throw new AgentDefinitionError(
      'agent_config_invalid',
      `${paths.config}:${source.lineOf(['name']) ?? 1}: name: ${JSON.stringify(config.name)} must match its folder agents/${name}`,
      { data: { agent_id: name } },
    );
  }
  const warnings = findUnknownKeys(source.value, agentConfigSchema).map(
    (u) =>
      `${paths.config}:${source.lineOf(u.path, true) ?? 1}: unknown key ${u.path.join('.')}` +
      (u.suggestion ? ` (did you mean ${[...u.path.slice(0, -1), u.suggestion].join('.')}?)` : ''),
  );
  const systemPrompt = readText(paths.systemPrompt);
  if (systemPrompt === undefined) {
    throw new AgentDefinitionError(
      'system_prompt_not_found',
      `System prompt not found: ${paths.systemPrompt} (every agent needs agents/${name}/system-prompt.md)`,
      { data: { agent_id: name } },
    );
  }
  const skills = await Promise.all(config.capabilities.skills.map((s) => loadSkill(root, s)));
  return { name, config, systemPrompt: systemPrompt.trim(), skills, configPath: paths.config, warnings };
}
