import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../shared/errors.js';
import { generateKey, hashKey } from './keys.js';
import { AGENT_NAME_PATTERN, type AgentStore } from './store/agent-store.js';

/** One agent found in an agent-definitions folder. */
export interface SeedResult {
  name: string;
  /** `registered` (key issued now), `exists` (kept as is) or `skipped` (invalid name). */
  outcome: 'registered' | 'exists' | 'skipped';
  /** The new key, only when registered now. */
  apiKey?: string;
}

/**
 * Register every agent of `DIR/agents/<name>/config.yaml`. Reads `name`, `display_name`, `description`
 * and `type` from the YAML, tolerating unreadable or malformed files (the folder name is used then).
 * Agents that already exist are left alone, so seeding on every start is safe.
 */
export function seedAgents(dir: string, agents: AgentStore, logger: Logger): SeedResult[] {
  const root = join(dir, 'agents');
  if (!existsSync(root)) {
    logger.warn('devhub_seed_dir_missing', { dir: root });
    return [];
  }
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'config.yaml')))
    .map((d) => d.name)
    .sort();
  return folders.map((folder) => seedOne(join(root, folder, 'config.yaml'), folder, agents, logger));
}

function seedOne(file: string, folder: string, agents: AgentStore, logger: Logger): SeedResult {
  const config = readConfig(file, logger);
  const name = text(config.name) ?? folder;
  if (!AGENT_NAME_PATTERN.test(name)) {
    logger.warn('devhub_seed_invalid_name', { file, name });
    return { name, outcome: 'skipped' };
  }
  if (agents.find(name)) return { name, outcome: 'exists' };
  const apiKey = generateKey('agent');
  agents.register(
    {
      name,
      display_name: text(config.display_name) ?? null,
      description: text(config.description) ?? null,
      type: text(config.type) ?? 'native',
      config_path: `agents/${name}`,
    },
    hashKey(apiKey),
  );
  logger.info('devhub_agent_seeded', { agent_id: name });
  return { name, outcome: 'registered', apiKey };
}

function readConfig(file: string, logger: Logger): Record<string, unknown> {
  try {
    const value: unknown = parse(readFileSync(file, 'utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch (error) {
    logger.warn('devhub_seed_config_unreadable', { file, error: errorMessage(error) });
    return {};
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
