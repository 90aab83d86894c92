// --seed-agents: every DIR/agents/<name>/config.yaml is registered once, tolerating broken YAML.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { createDevHub } from './create-dev-hub.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function definitions(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'defs-'));
  dirs.push(dir);
  for (const [name, yaml] of Object.entries(files)) {
    mkdirSync(join(dir, 'agents', name), { recursive: true });
    writeFileSync(join(dir, 'agents', name, 'config.yaml'), yaml);
  }
  mkdirSync(join(dir, 'agents', 'no-config'), { recursive: true });
  return dir;
}

describe('seedAgents', () => {
  it('registers each agent folder with its YAML fields, once', async () => {
    const dir = definitions({
      'claude-coder': 'name: claude-coder\ndisplay_name: Claude Coder\ndescription: writes code\ntype: claude-code\n',
      broken: 'name: [unclosed\n',
      Bad_Name: 'description: no valid name\n',
    });
    const { logger, events } = captureLogger();
    const dbPath = join(dir, 'hub.sqlite');
    const hub = await createDevHub({ port: 0, dbPath, seedAgentsDir: dir, logger });
    try {
      expect(hub.seeded.map((s) => [s.name, s.outcome])).toEqual([
        ['Bad_Name', 'skipped'],
        ['broken', 'registered'],
        ['claude-coder', 'registered'],
      ]);
      expect(hub.seeded[2]?.apiKey).toMatch(/^botburrow_agent_[0-9a-f]{64}$/);
      expect(hub.context.agents.get('claude-coder')).toMatchObject({
        display_name: 'Claude Coder',
        type: 'claude-code',
        config_path: 'agents/claude-coder',
      });
      expect(events()).toContain('devhub_seed_config_unreadable');
    } finally {
      await hub.close();
    }
    const again = await createDevHub({ port: 0, dbPath, seedAgentsDir: dir });
    await again.close();
    expect(again.seeded.filter((s) => s.outcome === 'exists').map((s) => s.name)).toEqual(['broken', 'claude-coder']);
  });
});
