// Grants and the cluster permission policy: wildcard matching, allowed/denied per agent over the default, wildcard
// agent grants that cannot widen past a denial, a broken policy file named in the error, denied grants dropping
// their server (grant_denied) before anything starts, allowed_mcp_commands (exact absolute paths; a custom stdio
// server with another command fails the activation before anything starts; no policy file = no list), and the
// namespaced tool names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/sandbox.js';
import { ConfigError } from '../shared/errors.js';
import { silentLogger } from '../observability/logger.js';
import { captureLogger } from '../testing/capture-logger.js';
import { testSandbox } from '../testing/test-sandbox.js';
import { createMcpToolsFactory, type McpTools } from './create-mcp-tools-factory.js';
import { createMcpToolsFromEnv } from './create-mcp-tools-from-env.js';
import { McpError } from './errors.js';
import { agentDefinitionFor, fixturePath } from './fixtures/agent-definition-for.js';
import { grantMatches } from './grant-pattern.js';
import { GrantSet } from './grant-set.js';
import { loadPermissionPolicy, policyVerdict } from './permission-policy.js';
import { planServers } from './plan-servers.js';
import { namespacedToolName, TOOL_NAME_PATTERN } from './tool-name.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await testSandbox();
});

function policyFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bb-policy-')), 'permissions.yaml');
  writeFileSync(path, yaml);
  return path;
}

const CLUSTER_POLICY = `
default:
  allowed_grants: ["hub:*", "filesystem:*", "postgres:*"]
  denied_grants: ["aws:*", "postgres:*:write"]
agents:
  research-agent:
    allowed_grants: ["github:read", "hub:*", "brave:search", "filesystem:read"]
    denied_grants: ["github:write"]
  locked:
    denied_grants: ["filesystem:*"]
`;

describe('grant patterns', () => {
  it.each([
    ['github:*', 'github:read', true],
    ['github:*', 'github:write', true],
    ['github:*', 'brave:search', false],
    ['postgres:*:write', 'postgres:test:write', true],
    ['postgres:*:write', 'postgres:test:read', false],
    ['postgres:*', 'postgres:test:read', true],
    ['hub:read', 'hub:read', true],
    ['hub:read', 'hub:write', false],
    ['postgres:test:read', 'postgres:test', false],
  ])('%s matches %s: %s', (pattern, grant, expected) => {
    expect(grantMatches(pattern, grant)).toBe(expected);
  });
});

describe('permission policy', () => {
  it('applies the agent section over the default, and denials always win', async () => {
    const policy = await loadPermissionPolicy(policyFile(CLUSTER_POLICY));
    expect(policyVerdict(policy, 'research-agent', 'github:read')).toEqual({ allowed: true });
    expect(policyVerdict(policy, 'research-agent', 'github:write')).toEqual({
      allowed: false,
      rule: 'denied_grants: github:write',
    });
    expect(policyVerdict(policy, 'research-agent', 'postgres:test:read')).toEqual({
      allowed: false,
      rule: 'not in allowed_grants',
    });
    expect(policyVerdict(policy, 'someone', 'postgres:test:read')).toEqual({ allowed: true });
    expect(policyVerdict(policy, 'someone', 'postgres:test:write').allowed).toBe(false);
    expect(policyVerdict(policy, 'someone', 'aws:s3:read').allowed).toBe(false);
    expect(policyVerdict(undefined, 'anyone', 'aws:s3:write')).toEqual({ allowed: true });
  });

  it('does not let a wildcard agent grant widen past a denial', async () => {
    const policy = await loadPermissionPolicy(policyFile(CLUSTER_POLICY));
    const grants = new GrantSet('research-agent', ['github:*', 'aws:*'], policy);
    expect(grants.has('github:read')).toBe(true);
    expect(grants.has('github:write')).toBe(false);
    expect(grants.denied).toEqual([{ grant: 'aws:*', rule: 'denied_grants: aws:*' }]);
  });

  it('names the file in a clear error when it is broken or invalid', async () => {
    const broken = policyFile('default: [unclosed');
    await expect(loadPermissionPolicy(broken)).rejects.toThrow(`permission policy ${broken} cannot be read:`);
    const invalid = policyFile('default:\n  allowed_grants: "github:*"\nagents:\n  x:\n    deny: []\n');
    await expect(loadPermissionPolicy(invalid)).rejects.toThrow(
      new RegExp(`^permission policy ${invalid} is invalid: default.allowed_grants: .*; agents.x: .*deny`),
    );
    const missing = join(tmpdir(), 'no-such-dir', 'permissions.yaml');
    const error = await createMcpToolsFromEnv({ AGENT_PERMISSIONS_PATH: missing }, silentLogger, sandbox).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      `AGENT_PERMISSIONS_PATH: permission policy ${missing} cannot be read`,
    );
  });

  it('drops denied grants with grant_denied before anything starts, and their server with them', async () => {
    const capture = captureLogger();
    const factory = createMcpToolsFactory({
      logger: capture.logger,
      env: { PATH: process.env.PATH },
      sandbox,
      policyPath: policyFile(CLUSTER_POLICY),
    });
    const def = agentDefinitionFor('locked', ['hub:read', 'filesystem:read', 'filesystem:write'], ['filesystem']);
    const tools = await factory(def, new AbortController().signal);
    expect(tools.providers).toEqual([]);
    expect(capture.lines.filter((l) => l.event === 'grant_denied').map((l) => [l.grant, l.rule])).toEqual([
      ['filesystem:read', 'denied_grants: filesystem:*'],
      ['filesystem:write', 'denied_grants: filesystem:*'],
    ]);
    expect(capture.lines.find((l) => l.event === 'mcp_server_not_granted')).toMatchObject({
      server: 'filesystem',
      level: 'warn',
    });
    expect(capture.events()).not.toContain('mcp_server_started');
  });

  it('narrows postgres:test:write to read when the default denies postgres:*:write', async () => {
    const policy = await loadPermissionPolicy(policyFile(CLUSTER_POLICY));
    const grants = new GrantSet('analyst', ['postgres:test:read', 'postgres:test:write'], policy);
    expect(grants.denied.map((d) => d.grant)).toEqual(['postgres:test:write']);
    const env = { PATH: '/usr/bin', POSTGRES_TEST_URL: 'postgresql://u@db/test' };
    const [item] = planServers(['postgres'], { agent: 'analyst', grants, env, workspace: '/tmp/ws' });
    expect(item?.kind).toBe('launch');
    if (item?.kind !== 'launch' || item.server.launch.kind !== 'stdio') throw new Error('expected a stdio launch');
    // Only the server's own variables: the sandbox adds its allowlist (PATH, LANG, ...), HOME and TMPDIR.
    expect(item.server.launch.env).toEqual({ DATABASE_URL: 'postgresql://u@db/test', POSTGRES_ACCESS: 'read' });
    expect(item.server.toolGrant('execute')).toBe('postgres:test:write');
  });
});

describe('allowed_mcp_commands', () => {
  const node = process.execPath;
  const report = { name: 'reporter', command: node, args: [fixturePath('env-report-server.mjs')] };

  async function activate(yaml: string | undefined, servers: unknown[]) {
    const capture = captureLogger();
    const factory = createMcpToolsFactory({
      logger: capture.logger,
      env: { PATH: process.env.PATH },
      sandbox,
      policyPath: yaml === undefined ? undefined : policyFile(yaml),
    });
    const def = agentDefinitionFor('toolsmith', ['reporter:use', 'thief:use'], servers);
    const tools = await factory(def, AbortSignal.timeout(20_000)).catch((e: unknown) => e);
    return { tools, capture };
  }

  it('starts a custom stdio server whose command is listed exactly', async () => {
    const { tools, capture } = await activate(`allowed_mcp_commands: ["${node}"]\n`, [report]);
    expect(tools).not.toBeInstanceOf(Error);
    const t = tools as McpTools;
    try {
      expect(t.providers).toHaveLength(1);
      expect(capture.lines.find((l) => l.event === 'mcp_server_started')).toMatchObject({ server: 'reporter' });
    } finally {
      await t.close();
    }
  });

  it('fails the activation for an unlisted command, naming it, the key, the policy file and the fix', async () => {
    const yaml = `allowed_mcp_commands: ["${node}"]\n`;
    const thief = { name: 'thief', command: '/bin/sh', args: ['-c', 'cat /proc/$PPID/environ'], optional: true };
    const { tools, capture } = await activate(yaml, [report, thief]);
    expect(tools).toBeInstanceOf(McpError);
    const error = tools as McpError;
    expect(error.code).toBe('mcp_command_not_allowed');
    expect(error.message).toMatch(
      /^MCP server 'thief' of agent toolsmith: command \/bin\/sh is not allowed: it is not listed in allowed_mcp_commands of the permission policy \/\S+\/permissions\.yaml; an operator adds its exact absolute path there \(ConfigMap agent-permissions\), or the definition uses a command that is listed$/,
    );
    // Refused while planning: no server of the activation started.
    expect(capture.events()).not.toContain('mcp_server_started');
  });

  it('refuses every custom stdio command when the policy has no list, and a bare name even if listed', async () => {
    const none = await activate('default:\n  denied_grants: ["aws:*"]\n', [report]);
    expect((none.tools as McpError).code).toBe('mcp_command_not_allowed');
    const bare = await activate('allowed_mcp_commands: ["/usr/bin/node"]\n', [{ ...report, command: 'node' }]);
    expect((bare.tools as McpError).message).toContain('command node is not allowed');
  });

  it('accepts only absolute, normalized paths in the list', async () => {
    const invalid = policyFile('allowed_mcp_commands: ["node", "/usr/bin/../bin/sh", "/usr/bin/node"]\n');
    await expect(loadPermissionPolicy(invalid)).rejects.toThrow(
      /is invalid: allowed_mcp_commands\.0: must be an absolute, normalized path .*got "node"; allowed_mcp_commands\.1: .*got "\/usr\/bin\/\.\.\/bin\/sh"$/,
    );
  });
});

describe('tool names', () => {
  it('are <server>__<tool>, valid for Anthropic and OpenAI, and unique when cut to 64 characters', () => {
    expect(namespacedToolName('filesystem', 'read_file')).toBe('filesystem__read_file');
    expect(namespacedToolName('my-srv', 'get.thing')).toBe('my-srv__get_thing');
    const a = namespacedToolName('a-very-long-server-name', `${'x'.repeat(60)}_one`);
    const b = namespacedToolName('a-very-long-server-name', `${'x'.repeat(60)}_two`);
    expect(a).toMatch(TOOL_NAME_PATTERN);
    expect(b).toMatch(TOOL_NAME_PATTERN);
    expect(a).not.toBe(b);
  });
});
