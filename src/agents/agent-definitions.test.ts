// Covers agent definitions: the shipped examples are valid; each kind of broken definition gives its documented
// message (file, field path, line); unknown keys warn with a suggestion; the cache reloads after an edit and
// after a git-sync style symlink swap, and serves from cache otherwise.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { egressPolicyFor } from '../sandbox/egress-policy.js';
import { ManualClock } from '../shared/clock.js';
import { FileAgentDefinitions } from './agent-definitions.js';
import { AgentDefinitionError } from './errors.js';
import { validateDefinitions } from './validate-definitions.js';

const EXAMPLES = resolve('examples/agent-definitions');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-defs-'));
  dirs.push(dir);
  cpSync(EXAMPLES, join(dir, 'defs'), { recursive: true });
  return join(dir, 'defs');
}

async function loadError(root: string, name: string): Promise<AgentDefinitionError> {
  try {
    await new FileAgentDefinitions({ root }).load(name);
  } catch (error) {
    if (error instanceof AgentDefinitionError) return error;
    throw error;
  }
  throw new Error('expected the load to fail');
}

describe('example definitions', () => {
  it('are all valid, with no warnings', async () => {
    const results = await validateDefinitions(EXAMPLES);
    expect(results.map((r) => `${r.kind}:${r.name}:${r.ok}:${r.warnings.length}`)).toEqual([
      'agent:claude-coder:true:0',
      'agent:codex-coder:true:0',
      'agent:gemini-coder:true:0',
      'agent:helper:true:0',
      'agent:researcher:true:0',
      'skill:hub-etiquette:true:0',
      'skill:research-method:true:0',
    ]);
  });

  it('load with defaults applied, system prompt and skills', async () => {
    const def = await new FileAgentDefinitions({ root: EXAMPLES }).load('researcher');
    expect(def.config.type).toBe('native');
    expect(def.config.brain).toMatchObject({
      provider: 'openai',
      api_key_env: 'OPENAI_API_KEY',
      api_base: 'https://api.openai.com/v1',
    });
    expect(def.config.behavior).toMatchObject({
      respond_to_mentions: true,
      respond_to_replies: false,
      max_iterations: 8,
    });
    expect(def.systemPrompt).toContain('You are Researcher');
    expect(def.skills.map((s) => [s.name, s.description])).toEqual([
      ['research-method', 'Search before answering and cite the threads used'],
      ['hub-etiquette', 'How to write replies on Botburrow Hub'],
    ]);
    const helper = await new FileAgentDefinitions({ root: EXAMPLES }).load('helper');
    expect(helper.config.discovery.enabled).toBe(true);
    expect(helper.config.capabilities.mcp_servers).toEqual([]);
  });
});

describe('broken definitions', () => {
  it('names the full path of a missing config', async () => {
    const root = copyExamples();
    const e = await loadError(root, 'my-agent');
    expect(e.code).toBe('agent_config_not_found');
    expect(e.message).toBe(`Agent config not found: ${join(root, 'agents', 'my-agent', 'config.yaml')}`);
  });

  it('gives file, line and column for invalid YAML', async () => {
    const root = copyExamples();
    writeFileSync(join(root, 'agents/helper/config.yaml'), 'name: helper\ntype: native\nbrain:\n  model: [unclosed\n');
    const e = await loadError(root, 'helper');
    expect(e.code).toBe('agent_config_invalid');
    expect(e.message).toMatch(new RegExp(`^${join(root, 'agents/helper/config.yaml')}:\\d+:\\d+: invalid YAML`));
  });

  it('names field and line for a wrong type and an unknown executor type', async () => {
    const root = copyExamples();
    const file = join(root, 'agents/helper/config.yaml');
    writeFileSync(file, 'name: helper\ntype: foo\nbehavior:\n  max_iterations: "ten"\n');
    const e = await loadError(root, 'helper');
    expect(e.message).toContain(
      `${file}:2: type: unknown executor type "foo"; use one of native, claude-code, codex, gemini-cli, goose, aider, opencode, custom`,
    );
    expect(e.message).toMatch(new RegExp(`${file}:4: behavior\\.max_iterations: .*number`));
  });

  it('validates the loop guard settings (defaults 3 and 20; 0 allowed; negative refused with field and line)', async () => {
    const root = copyExamples();
    const file = join(root, 'agents/helper/config.yaml');
    writeFileSync(file, 'name: helper\ntype: native\n');
    expect((await new FileAgentDefinitions({ root }).load('helper')).config.behavior).toMatchObject({
      max_agent_replies_per_thread: 3,
      max_replies_to_agent_per_hour: 20,
    });
    writeFileSync(file, 'name: helper\ntype: native\nbehavior:\n  max_agent_replies_per_thread: 0\n');
    expect((await new FileAgentDefinitions({ root }).load('helper')).config.behavior.max_agent_replies_per_thread).toBe(
      0,
    );
    writeFileSync(file, 'name: helper\ntype: native\nbehavior:\n  max_replies_to_agent_per_hour: -1\n');
    const e = await loadError(root, 'helper');
    expect(e.message).toMatch(new RegExp(`${file}:4: behavior\\.max_replies_to_agent_per_hour: .*>=0`));
  });

  it('requires a system prompt', async () => {
    const root = copyExamples();
    rmSync(join(root, 'agents/helper/system-prompt.md'));
    const e = await loadError(root, 'helper');
    expect(e.code).toBe('system_prompt_not_found');
    expect(e.message).toContain(join(root, 'agents/helper/system-prompt.md'));
  });

  it('requires referenced skills and valid skill front matter', async () => {
    const root = copyExamples();
    writeFileSync(join(root, 'skills/hub-etiquette/SKILL.md'), '---\nname: hub-etiquette\n---\nbody');
    const e = await loadError(root, 'helper');
    expect(e.code).toBe('skill_invalid');
    expect(e.message).toContain('skills/hub-etiquette/SKILL.md:2: description');
    rmSync(join(root, 'skills/hub-etiquette'), { recursive: true });
    expect((await loadError(root, 'helper')).message).toContain('Skill not found:');
  });

  it('requires an executor block for custom agents, gemini-cli for provider google, a name matching the folder', async () => {
    const root = copyExamples();
    writeFileSync(join(root, 'agents/helper/config.yaml'), 'name: helper\ntype: custom\n');
    expect((await loadError(root, 'helper')).message).toContain('executor: type custom needs an executor block');
    writeFileSync(join(root, 'agents/helper/config.yaml'), 'name: helper\ntype: native\nbrain:\n  provider: google\n');
    expect((await loadError(root, 'helper')).message).toContain(
      'brain.provider: provider google (the Gemini API) is only supported by type gemini-cli',
    );
    writeFileSync(join(root, 'agents/helper/config.yaml'), 'name: other\ntype: native\n');
    expect((await loadError(root, 'helper')).message).toContain('must match its folder agents/helper');
  });

  it('warns about unknown keys with a did-you-mean suggestion', async () => {
    const root = copyExamples();
    const file = join(root, 'agents/helper/config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('respond_to_replies:', 'respond_to_replys:'));
    const def = await new FileAgentDefinitions({ root }).load('helper');
    expect(def.warnings).toHaveLength(1);
    expect(def.warnings[0]).toMatch(
      /config\.yaml:\d+: unknown key behavior\.respond_to_replys \(did you mean behavior\.respond_to_replies\?\)/,
    );
  });
});

describe('cache', () => {
  it('serves from cache while files are unchanged, reloads after an edit and after the TTL', async () => {
    const root = copyExamples();
    const clock = new ManualClock();
    const defs = new FileAgentDefinitions({ root, clock });
    const first = await defs.load('helper');
    expect(await defs.load('helper')).toBe(first);
    const prompt = join(root, 'agents/helper/system-prompt.md');
    writeFileSync(prompt, 'You are Helper v2, a much longer prompt than before.');
    const second = await defs.load('helper');
    expect(second.systemPrompt).toBe('You are Helper v2, a much longer prompt than before.');
    expect(await defs.load('helper')).toBe(second);
    clock.advance(301_000);
    expect(await defs.load('helper')).not.toBe(second);
  });

  it('re-reads an edited skill file and an edited config.yaml (same size), and nothing while they are unchanged', async () => {
    const root = copyExamples();
    const defs = new FileAgentDefinitions({ root, clock: new ManualClock() });
    const first = await defs.load('helper');
    const skill = join(root, 'skills/hub-etiquette/SKILL.md');
    writeFileSync(skill, readFileSync(skill, 'utf8').replace(/\n---\n/, '\n---\nEdited skill body.\n'));
    const second = await defs.load('helper');
    expect(second).not.toBe(first);
    expect(second.skills[0]!.body).toContain('Edited skill body.');
    expect(await defs.load('helper')).toBe(second);
    const config = join(root, 'agents/helper/config.yaml');
    const yaml = readFileSync(config, 'utf8');
    const edited = yaml.replace(/max_iterations: (\d)\b/, (_, n: string) => `max_iterations: ${(Number(n) + 1) % 10}`);
    expect(edited).not.toBe(yaml);
    expect(edited.length).toBe(yaml.length);
    writeFileSync(config, edited);
    const third = await defs.load('helper');
    expect(third.config.behavior.max_iterations).toBe((second.config.behavior.max_iterations + 1) % 10);
  });

  it('keeps at most maxCached definitions, dropping the least recently loaded', async () => {
    const root = copyExamples();
    const defs = new FileAgentDefinitions({ root, clock: new ManualClock(), maxCached: 2 });
    const helper = await defs.load('helper');
    const researcher = await defs.load('researcher');
    expect(await defs.load('helper')).toBe(helper); // helper is now the most recently used
    await defs.load('claude-coder'); // drops researcher
    expect(defs.cachedCount).toBe(2);
    expect(await defs.load('helper')).toBe(helper);
    const again = await defs.load('researcher');
    expect(again).not.toBe(researcher);
    expect(again).toEqual(researcher);
    expect(defs.cachedCount).toBe(2);
  });

  it('follows a git-sync symlink swap', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bb-sync-'));
    dirs.push(base);
    cpSync(EXAMPLES, join(base, 'rev-1'), { recursive: true });
    cpSync(EXAMPLES, join(base, 'rev-2'), { recursive: true });
    writeFileSync(join(base, 'rev-2/agents/helper/system-prompt.md'), 'Prompt from revision 2');
    symlinkSync(join(base, 'rev-1'), join(base, 'current'));
    const defs = new FileAgentDefinitions({ root: join(base, 'current') });
    expect((await defs.load('helper')).systemPrompt).toContain('You are Helper');
    // git-sync publishes a new revision by atomically renaming a fresh symlink over the old one.
    symlinkSync(join(base, 'rev-2'), join(base, 'next'));
    renameSync(join(base, 'next'), join(base, 'current'));
    expect((await defs.load('helper')).systemPrompt).toBe('Prompt from revision 2');
  });

  it('lists agents that have a config.yaml', async () => {
    expect(await new FileAgentDefinitions({ root: EXAMPLES }).list()).toEqual([
      'claude-coder',
      'codex-coder',
      'gemini-coder',
      'helper',
      'researcher',
    ]);
    expect(await new FileAgentDefinitions({ root: '/nonexistent' }).list()).toEqual([]);
  });
});

describe('runtime credentials', () => {
  it('refuses brain.api_key_env naming a runtime credential such as HUB_API_KEY', async () => {
    const root = copyExamples();
    const file = join(root, 'agents/researcher/config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('api_key_env: OPENAI_API_KEY', 'api_key_env: HUB_API_KEY'));
    const e = await loadError(root, 'researcher');
    expect(e.message).toContain('brain.api_key_env: HUB_API_KEY is a credential of the runtime, not an LLM key');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('api_key_env: HUB_API_KEY', 'api_key_env: POSTGRES_PROD_URL'),
    );
    expect((await loadError(root, 'researcher')).message).toContain('brain.api_key_env');
  });
});

describe('sandbox.network', () => {
  const base = 'name: claude-coder\ntype: claude-code\n';

  it('is false by default, true for the public internet, or a list of domain patterns', async () => {
    const root = copyExamples();
    const file = join(root, 'agents/claude-coder/config.yaml');
    const load = async () => (await new FileAgentDefinitions({ root }).load('claude-coder')).config;
    writeFileSync(file, base);
    expect(egressPolicyFor((await load()).sandbox?.network)).toBeUndefined();
    writeFileSync(file, `${base}sandbox: {}\n`);
    expect((await load()).sandbox?.network).toBe(false);
    writeFileSync(file, `${base}sandbox:\n  network: true\n`);
    expect(egressPolicyFor((await load()).sandbox?.network)).toEqual({ allow: 'public' });
    writeFileSync(file, `${base}sandbox:\n  network:\n    - api.anthropic.com\n    - '*.githubusercontent.com:443'\n`);
    const config = await load();
    expect(config.sandbox?.network).toEqual(['api.anthropic.com', '*.githubusercontent.com:443']);
    expect(egressPolicyFor(config.sandbox?.network)).toEqual({
      allow: ['api.anthropic.com', '*.githubusercontent.com:443'],
    });
    const results = await validateDefinitions(root);
    expect(results.find((r) => r.name === 'claude-coder')).toMatchObject({ ok: true, warnings: [] });
  });

  it('refuses bad patterns with field, line and the reason', async () => {
    const root = copyExamples();
    const file = join(root, 'agents/claude-coder/config.yaml');
    writeFileSync(
      file,
      `${base}sandbox:\n  network:\n    - api.github.com\n    - 10.0.0.5\n    - https://api.openai.com\n    - '*'\n`,
    );
    const message = (await loadError(root, 'claude-coder')).message;
    expect(message).toContain(`${file}:6: sandbox.network.1: "10.0.0.5" is an IP address; list domain names`);
    expect(message).toContain(`${file}:7: sandbox.network.2: "https://api.openai.com" is not a domain pattern`);
    expect(message).toContain(`${file}:8: sandbox.network.3: "*" is too broad; use network: true`);
    writeFileSync(file, `${base}sandbox:\n  network: yes\n`);
    expect((await loadError(root, 'claude-coder')).message).toContain(
      `${file}:4: sandbox.network: must be false (no network), true (public internet) or a list of domains`,
    );
    writeFileSync(file, `${base}sandbox:\n  network: []\n`);
    expect((await loadError(root, 'claude-coder')).message).toContain(
      `${file}:4: sandbox.network: an empty list allows nothing; use false for no network`,
    );
  });
});
