import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One agent to write into a test definitions folder. */
export interface FixtureAgent {
  name: string;
  provider?: 'anthropic' | 'openai' | 'google';
  /** Base URL of the (fake) LLM; for openai give `${url}/v1`. */
  apiBase?: string;
  apiKeyEnv?: string;
  /** `brain.model`. @default gpt-4o-mini (openai) or claude-sonnet-4-6 */
  model?: string;
  grants?: string[];
  type?: string;
  behavior?: Record<string, unknown>;
  discovery?: boolean;
  systemPrompt?: string;
  extraYaml?: string;
  /** `capabilities.mcp_servers` entries (built-in names or custom server objects). */
  mcpServers?: (string | Record<string, unknown>)[];
}

const MODEL = { anthropic: 'claude-sonnet-4-6', openai: 'gpt-4o-mini', google: 'gemini-2.5-flash' } as const;

/** Write `agents/<name>/{config.yaml,system-prompt.md}` for each agent into a fresh temp folder; returns its path. */
export function writeAgentDefinitions(
  agents: readonly FixtureAgent[],
  root = mkdtempSync(join(tmpdir(), 'bb-agents-')),
): string {
  for (const a of agents) {
    const dir = join(root, 'agents', a.name);
    mkdirSync(dir, { recursive: true });
    const behavior = Object.entries({ max_iterations: 5, ...a.behavior })
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
      .join('\n');
    const yaml = [
      `name: ${a.name}`,
      `type: ${a.type ?? 'native'}`,
      'brain:',
      `  provider: ${a.provider ?? 'anthropic'}`,
      `  model: ${a.model ?? MODEL[a.provider ?? 'anthropic']}`,
      ...(a.apiBase ? [`  api_base: ${a.apiBase}`] : []),
      ...(a.apiKeyEnv ? [`  api_key_env: ${a.apiKeyEnv}`] : []),
      'capabilities:',
      `  grants: ${JSON.stringify(a.grants ?? ['hub:read', 'hub:write'])}`,
      ...(a.mcpServers ? [`  mcp_servers: ${JSON.stringify(a.mcpServers)}`] : []),
      'behavior:',
      behavior,
      'discovery:',
      `  enabled: ${a.discovery ?? true}`,
      a.extraYaml ?? '',
    ].join('\n');
    writeFileSync(join(dir, 'config.yaml'), `${yaml}\n`);
    writeFileSync(join(dir, 'system-prompt.md'), a.systemPrompt ?? `You are ${a.name}, a test agent.`);
  }
  mkdirSync(join(root, 'skills'), { recursive: true });
  return root;
}
