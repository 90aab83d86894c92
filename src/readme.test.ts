// Keeps the README true: every environment variable the code reads is documented there, and so is every
// top-level CLI command.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from './config/env-vars.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('documents every env var', () => {
    for (const v of ENV_VARS) expect(readme, v.name).toContain(`\`${v.name}\``);
  });

  it('documents every CLI command', () => {
    const commands = [
      'validate',
      'hub',
      'coordinator',
      'runner',
      'activate',
      'dev',
      'mcp',
      'status',
      'doctor',
      'queue',
      'backoff',
      'activation',
      'dead',
    ];
    for (const c of commands) expect(readme, c).toMatch(new RegExp(`botburrow-agents ${c}|\`${c}\``));
    const src = readFileSync('src/cli/main.ts', 'utf8') + readFileSync('src/cli/hub-command.ts', 'utf8');
    for (const m of src.matchAll(/\.command\('([a-z-]+)/g)) expect(commands).toContain(m[1]);
  });
});
