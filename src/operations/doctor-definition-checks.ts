import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAgentDefinitions } from '../agents/agent-definitions.js';
import { resolveDefinitionsRoot } from '../agents/github-definitions-sync.js';
import { validateDefinitions } from '../agents/validate-definitions.js';
import { keyBindingsFromEnv } from '../executors/native/key-bindings-from-env.js';
import { errorMessage } from '../shared/errors.js';
import { fixFor, result, type CheckResult, type DoctorState } from './doctor-types.js';

const FIX_PATH =
  'check the git-sync sidecar and AGENT_DEFINITIONS_PATH (/configs/agent-definitions in the pods), or set AGENT_DEFINITIONS_REPO for GitHub mode';
const FIX_PATH_LOCAL =
  'set AGENT_DEFINITIONS_PATH to your definitions folder (runners read ./agent-definitions by default), or AGENT_DEFINITIONS_REPO for GitHub mode';
const FIX_INVALID = 'fix the file in the agent-definitions repo (`botburrow-agents validate` shows every problem)';

/**
 * The definitions path exists and holds agents (local mode), or GitHub mode fetches them (the guide's "Agent config
 * not found" and "Cannot Reach GitHub"); every agent and skill validates.
 */
export async function checkDefinitions(state: DoctorState): Promise<CheckResult[]> {
  const config = state.config;
  if (!config) return [result('definitions', 'SKIP', 'definitions not checked: the configuration did not load')];
  const path = config.agentDefinitionsPath;
  let root: string;
  try {
    const cacheDir = join(tmpdir(), `bb-doctor-defs-${process.pid}`);
    root = await resolveDefinitionsRoot({ path, env: state.options.env, cacheDir, ...state.options.github });
  } catch (error) {
    return [result('definitions', 'FAIL', errorMessage(error), fixFor(state, FIX_PATH, FIX_PATH_LOCAL))];
  }
  const mode =
    root === path ? `local path ${path}` : `GitHub ${state.options.env.AGENT_DEFINITIONS_REPO} (via ${root})`;
  const names = await new FileAgentDefinitions({ root }).list();
  if (names.length === 0) {
    return [
      result(
        'definitions',
        'FAIL',
        `no agents under ${mode}: expected agents/<name>/config.yaml`,
        fixFor(state, FIX_PATH, FIX_PATH_LOCAL),
      ),
    ];
  }
  state.definitionsRoot = root;
  const out = [result('definitions', 'PASS', `${names.length} agent(s) found in ${mode}`)];
  // An unreadable policy file is reported by the mcp and llm-key checks; here the built-in bindings apply.
  const keyBindings = await keyBindingsFromEnv(state.options.env).catch(() => ({ llmKeys: undefined }));
  const results = await validateDefinitions(root, { keyBindings });
  const definitions = new FileAgentDefinitions({ root });
  for (const r of results) {
    for (const e of r.errors) out.push(result('definition-valid', 'FAIL', `${r.kind} ${r.name}: ${e}`, FIX_INVALID));
    for (const w of r.warnings) out.push(result('definition-valid', 'WARN', `${r.kind} ${r.name}: ${w}`, FIX_INVALID));
    if (r.kind === 'agent' && r.ok) state.agents.push(await definitions.load(r.name));
  }
  const invalid = results.filter((r) => !r.ok).length;
  if (invalid === 0) out.push(result('definition-valid', 'PASS', `${results.length} definition(s) valid`));
  return out;
}
