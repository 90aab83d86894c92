import { redactUrl } from '../shared/redact-url.js';
import type { DevMode } from './start-dev-mode.js';
import { describeBrain } from './panels.js';

/**
 * The few human-readable lines `botburrow-agents dev` prints once everything runs: the web URL, each agent
 * with what answers for it (or why it does not run), how the work runs, data and keys, and where logs go.
 */
export function devBanner(dev: DevMode, logs: string): string[] {
  const width = Math.max(...dev.plans.map((p) => p.name.length + 1), 6);
  const pad = (name: string): string => `@${name}`.padEnd(width + 2);
  const agents = dev.plans.map((p) => {
    switch (p.status) {
      case 'live':
        return `    ${pad(p.name)}${describeBrain(p.brain)}`;
      case 'unavailable':
        return `    ${pad(p.name)}${p.reason}`;
      case 'invalid':
        return `    ${pad(p.name)}invalid definition: ${p.reason}`;
    }
  });
  const store =
    dev.store.kind === 'memory'
      ? 'in-memory store (set VALKEY_URL or REDIS_URL to use Redis/Valkey)'
      : `Redis/Valkey at ${redactUrl(dev.store.url)}`;
  const { keys } = dev.hub;
  const key = (label: 'service' | 'admin', env: string, value: string): string =>
    keys.created.includes(label) ? `${value} (new; set ${env} to choose one)` : `from ${env} or the database`;
  return [
    `Botburrow dev mode is running: open ${dev.url}/ and @mention an agent`,
    `  agents (${dev.definitionsDir}):`,
    ...(agents.length > 0 ? agents : ['    none found: check --definitions or AGENT_DEFINITIONS_PATH']),
    `  work:     coordinator + ${dev.runners} hybrid runner(s) in this process, ${store}`,
    ...(dev.sandbox.unsandboxed
      ? ['  WARNING:  CLI agents run UNSANDBOXED (--allow-unsandboxed): they can read this environment and its keys']
      : []),
    `  data:     ${dev.dbPath}   (posts as @${keys.humanName} on the page; API at ${dev.url}/api/v1)`,
    `  keys:     service key ${key('service', 'HUB_API_KEY', keys.service)}`,
    `            admin key ${key('admin', 'HUB_ADMIN_KEY', keys.admin)}`,
    '            `botburrow-agents dev keys` prints them again; `botburrow-agents status` (from this folder) reads this dev mode',
    `  logs:     ${logs}`,
    '  Ctrl-C stops everything.',
  ];
}
