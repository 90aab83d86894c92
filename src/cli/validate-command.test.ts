// Covers `botburrow-agents validate` as a real child process: exit 0 on the examples, exit 1 on a broken copy
// with the file and field named; LLM keys bound to endpoints (with and without --policy); also --version and --help.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeKeyPolicy } from '../testing/key-policy.js';
import { runCli } from '../testing/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'bb-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('validate command', () => {
  it('exits 0 on the example definitions', async () => {
    const r = await runCli(['validate', '--path', 'examples/agent-definitions']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok    agent helper');
    expect(r.stdout).toContain('7 valid');
  });

  it('exits 1 on a broken copy, naming file and field', async () => {
    const root = join(tmp, 'defs');
    cpSync('examples/agent-definitions', root, { recursive: true });
    writeFileSync(
      join(root, 'agents/helper/config.yaml'),
      'name: helper\ntype: native\nbehavior:\n  max_iterations: 0\n',
    );
    const r = await runCli(['validate', '--path', root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `FAIL  agent helper: ${join(root, 'agents/helper/config.yaml')}:4: behavior.max_iterations:`,
    );
    expect(r.stdout).toContain('ok    agent researcher');
    expect(r.stdout).toContain('1 of 7 invalid');
  });

  it('exits 1 on a key sent where it is not bound, and accepts what --policy binds', async () => {
    const root = join(tmp, 'keys');
    cpSync('examples/agent-definitions', root, { recursive: true });
    const researcher = join(root, 'agents/researcher/config.yaml');
    writeFileSync(
      researcher,
      readFileSync(researcher, 'utf8')
        .replace('https://api.openai.com/v1', 'https://api.groq.com/openai/v1')
        .replace('api_key_env: OPENAI_API_KEY', 'api_key_env: GROQ_API_KEY'),
    );
    const helper = join(root, 'agents/helper/config.yaml');
    writeFileSync(
      helper,
      readFileSync(helper, 'utf8').replace(
        'provider: anthropic',
        'provider: anthropic\n  api_base: https://attacker.example',
      ),
    );
    const env = { ...process.env, AGENT_PERMISSIONS_PATH: undefined };
    const r = await runCli(['validate', '--path', root], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL  agent researcher: brain.api_key_env: GROQ_API_KEY is not an LLM key the operator bound',
    );
    expect(r.stdout).toContain(
      'FAIL  agent helper: brain.api_base https://attacker.example is not an endpoint ANTHROPIC_API_KEY is bound to',
    );
    const policy = writeKeyPolicy({ GROQ_API_KEY: ['https://api.groq.com/openai/v1'] });
    const bound = await runCli(['validate', '--path', root, '--policy', policy], { env });
    expect(bound.stdout).toContain('ok    agent researcher');
    expect(bound.stdout).toContain('FAIL  agent helper: brain.api_base https://attacker.example');
    expect(bound.stdout).toContain('1 of 7 invalid');
  });

  it('exits 1 when the folder has no agents, 78 naming a folder that does not exist', async () => {
    mkdirSync(join(tmp, 'empty'));
    const r = await runCli(['validate', '--path', join(tmp, 'empty')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no agents or skills found');
    const missing = await runCli(['validate', '--path', join(tmp, 'missing')]);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain(`--path ${join(tmp, 'missing')}: no such folder`);
    const env = await runCli(['validate'], { env: { ...process.env, AGENT_DEFINITIONS_PATH: join(tmp, 'gone') } });
    expect(env.code).toBe(78);
    expect(env.stderr).toContain(`AGENT_DEFINITIONS_PATH ${join(tmp, 'gone')}: no such folder`);
  });

  it('without --path: ./agent-definitions when it exists, else the bundled examples (the rule dev uses)', async () => {
    const env = { ...process.env, AGENT_DEFINITIONS_PATH: undefined };
    const bare = join(tmp, 'bare');
    mkdirSync(bare);
    const bundled = await runCli(['validate'], { env, cwd: bare });
    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toMatch(/^definitions: .*examples\/agent-definitions \(bundled examples\)$/m);
    expect(bundled.stdout).toContain('7 valid');
    const project = join(tmp, 'project');
    mkdirSync(project);
    cpSync('examples/agent-definitions', join(project, 'agent-definitions'), { recursive: true });
    rmSync(join(project, 'agent-definitions/agents/codex-coder'), { recursive: true });
    const local = await runCli(['validate'], { env, cwd: project });
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('definitions: ./agent-definitions (./agent-definitions)');
    expect(local.stdout).toContain('6 valid');
  });

  it('prints version and help', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    for (const cmd of ['validate', 'hub', 'coordinator', 'runner', 'dev', 'status', 'doctor'])
      expect(help.stdout).toContain(cmd);
  });
});
