import type { AgentDefinition } from '../agents/agent-definition.js';
import { ExecutorError } from '../executors/errors.js';
import { keyBindingsFromEnv } from '../executors/native/key-bindings-from-env.js';
import { resolveBrain, type KeyBindingContext } from '../executors/native/resolve-brain.js';
import { GrantSet } from '../mcp/grant-set.js';
import { loadPermissionPolicy, type PermissionPolicy } from '../mcp/permission-policy.js';
import { planServers } from '../mcp/plan-servers.js';
import { probeBwrap } from '../sandbox/bwrap-sandbox.js';
import { errorMessage } from '../shared/errors.js';
import { findOnPath } from './find-on-path.js';
import { covers, fixFor, inPod, result, type CheckResult, type DoctorState } from './doctor-types.js';

const FIX_SECRET_POD =
  'add it to Secret botburrow-agents-secrets (`kubectl get secret botburrow-agents-secrets -n botburrow-agents -o yaml`)';
const FIX_SECRET_LOCAL = 'export it in the shell that starts botburrow-agents';

function fixPolicy(state: DoctorState): string {
  return fixFor(
    state,
    'fix permissions.yaml in ConfigMap agent-permissions',
    'fix the permissions.yaml named by AGENT_PERMISSIONS_PATH',
  );
}

function fixSecret(state: DoctorState): string {
  return fixFor(state, FIX_SECRET_POD, FIX_SECRET_LOCAL);
}

function skipUnlessRunner(state: DoctorState, check: string): CheckResult[] | undefined {
  if (!covers(state, 'runner')) return [result(check, 'SKIP', `${check}: runners only`)];
  if (state.agents.length === 0) return [result(check, 'SKIP', `${check}: no valid agent definitions to check`)];
  return undefined;
}

/** Each agent's executor is installed and available here (the guide's `Executor 'claude-code' not available`). */
export async function checkExecutors(state: DoctorState): Promise<CheckResult[]> {
  const skipped = skipUnlessRunner(state, 'executor');
  if (skipped) return skipped;
  const out: CheckResult[] = [];
  for (const agent of state.agents) {
    const type = agent.config.type;
    try {
      await state.options.executors.resolve(type);
      out.push(result('executor', 'PASS', `agent ${agent.name}: executor ${type} available`));
    } catch (error) {
      out.push(
        result(
          'executor',
          'FAIL',
          `agent ${agent.name}: ${errorMessage(error)}`,
          fixFor(
            state,
            `install the CLI in the runner image, or fix \`type:\` in agents/${agent.name}/config.yaml`,
            `install the CLI on this machine (on PATH), or fix \`type:\` in agents/${agent.name}/config.yaml`,
          ),
        ),
      );
    }
  }
  return out;
}

/**
 * Each agent's MCP servers can start here: its grants start them and their credentials are set (the guide's
 * "Missing credentials": `github:read` requires `GITHUB_PAT`), and external server binaries are on PATH.
 */
export async function checkMcpCredentials(state: DoctorState): Promise<CheckResult[]> {
  const skipped = skipUnlessRunner(state, 'mcp');
  if (skipped) return skipped;
  const env = state.options.env;
  let policy: PermissionPolicy | undefined;
  try {
    policy = env.AGENT_PERMISSIONS_PATH ? await loadPermissionPolicy(env.AGENT_PERMISSIONS_PATH) : undefined;
  } catch (error) {
    return [result('mcp', 'FAIL', errorMessage(error), fixPolicy(state))];
  }
  const out: CheckResult[] = [];
  for (const agent of state.agents.filter((a) => a.config.capabilities.mcp_servers.length > 0)) {
    out.push(...planAgent(agent, env, policy, { secret: fixSecret(state), pod: inPod(state) }));
  }
  if (out.length === 0) out.push(result('mcp', 'PASS', 'no agent uses MCP servers'));
  return Promise.resolve(out);
}

function planAgent(
  agent: AgentDefinition,
  env: NodeJS.ProcessEnv,
  policy: PermissionPolicy | undefined,
  fixes: { secret: string; pod: boolean },
): CheckResult[] {
  const podFix = fixes.pod;
  const grants = new GrantSet(agent.name, agent.config.capabilities.grants, policy);
  const out: CheckResult[] = [];
  try {
    const items = planServers(agent.config.capabilities.mcp_servers, {
      agent: agent.name,
      grants,
      env,
      workspace: '/workspace',
      policy,
    });
    for (const item of items) {
      if (item.kind === 'skip') {
        const missing = item.event === 'mcp_credentials_missing';
        out.push(
          result(
            'mcp',
            missing ? 'FAIL' : 'WARN',
            `agent ${agent.name}: ${String(item.fields.message)}`,
            missing
              ? `${String(item.fields.env_var)}: ${fixes.secret}`
              : `add the grant to agents/${agent.name}/config.yaml`,
          ),
        );
      } else if (item.server.launch.kind === 'stdio' && !findOnPath(item.server.launch.command, env)) {
        const hint = item.server.launch.installHint ?? `${item.server.launch.command} is not on PATH`;
        out.push(
          result(
            'mcp',
            'FAIL',
            `agent ${agent.name}: MCP server '${item.server.name}' cannot start: ${hint}`,
            podFix ? 'install it in the runner image' : 'install it on this machine (on PATH)',
          ),
        );
      } else {
        out.push(result('mcp', 'PASS', `agent ${agent.name}: MCP server '${item.server.name}' has its credentials`));
      }
    }
  } catch (error) {
    out.push(
      result(
        'mcp',
        'FAIL',
        `agent ${agent.name}: ${errorMessage(error)}`,
        `fix capabilities.mcp_servers in agents/${agent.name}/config.yaml`,
      ),
    );
  }
  return out;
}

/**
 * Native agents have their LLM key, bound to their endpoint (the guide's `AuthenticationError: Invalid API key`
 * starts with a missing key).
 */
export async function checkLlmKeys(state: DoctorState): Promise<CheckResult[]> {
  const skipped = skipUnlessRunner(state, 'llm-key');
  if (skipped) return skipped;
  let bindings: KeyBindingContext;
  try {
    bindings = await keyBindingsFromEnv(state.options.env);
  } catch (error) {
    return [result('llm-key', 'FAIL', errorMessage(error), fixPolicy(state))];
  }
  const out: CheckResult[] = [];
  for (const agent of state.agents.filter((a) => a.config.type === 'native')) {
    try {
      const brain = resolveBrain(agent, state.options.env, bindings);
      const detail =
        brain.apiKey === undefined ? `${brain.baseURL ?? ''} is local and needs no key` : `${brain.apiKeyEnv} is set`;
      out.push(result('llm-key', 'PASS', `agent ${agent.name}: ${detail}`));
    } catch (error) {
      const fix =
        error instanceof ExecutorError && error.code === 'llm_key_not_bound'
          ? `fix brain in agents/${agent.name}/config.yaml or llm_keys in ${fixFor(state, 'permissions.yaml (ConfigMap agent-permissions)', 'the permissions.yaml of AGENT_PERMISSIONS_PATH')}`
          : error instanceof ExecutorError && error.code === 'llm_api_key_missing'
            ? `the key is missing: ${fixSecret(state)}`
            : fixSecret(state);
      out.push(result('llm-key', 'FAIL', errorMessage(error), fix));
    }
  }
  if (out.length === 0) out.push(result('llm-key', 'PASS', 'no native agent needs an LLM key here'));
  return out;
}

/** Whether an agent starts stdio MCP servers (they run in the sandbox; native agents skip `hub`). */
function hasStdioMcpServers(agent: AgentDefinition): boolean {
  return agent.config.capabilities.mcp_servers.some((ref) =>
    typeof ref === 'string' ? ref !== 'hub' || agent.config.type !== 'native' : Boolean(ref.command),
  );
}

/**
 * CLI agents and agents with stdio MCP servers get a sandbox: with `SANDBOX=auto|bwrap`, bubblewrap must be on PATH
 * and able to run here (user namespaces); `SANDBOX=process` or a failed probe means no isolation (and, under
 * `auto`, refused CLI agents and custom MCP servers). Other native agents need none.
 */
export async function checkSandbox(state: DoctorState): Promise<CheckResult[]> {
  const skipped = skipUnlessRunner(state, 'sandbox');
  if (skipped) return skipped;
  const cli = state.agents.filter((a) => a.config.type !== 'native' || hasStdioMcpServers(a));
  if (cli.length === 0) return [result('sandbox', 'PASS', 'no agent needs a sandbox (no CLI, no stdio MCP server)')];
  const who = `${cli.length} agent(s) with a CLI or stdio MCP servers (${cli.map((a) => a.name).join(', ')})`;
  const kind = (state.options.env.SANDBOX ?? 'auto').toLowerCase();
  const fix = fixFor(
    state,
    'install bubblewrap in the runner image and allow user namespaces, or accept SANDBOX=process',
    'install bubblewrap on this machine (e.g. apt-get install bubblewrap) and allow user namespaces, or accept SANDBOX=process',
  );
  if (kind === 'process') return [result('sandbox', 'WARN', `SANDBOX=process: ${who} run without isolation`, fix)];
  const bwrap = findOnPath('bwrap', state.options.env);
  const probe = bwrap ? await probeBwrap(bwrap) : { ok: false as const, reason: "'bwrap' not found on PATH" };
  if (probe.ok) return [result('sandbox', 'PASS', `bubblewrap at ${bwrap} runs; sandboxes ${who}`)];
  return [
    result(
      'sandbox',
      kind === 'bwrap' ? 'FAIL' : 'WARN',
      `bubblewrap cannot run here (${probe.reason}): ${who} would run without isolation`,
      fix,
    ),
  ];
}
