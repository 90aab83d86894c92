import { ENV_VARS, type Component } from '../config/env-vars.js';
import { readEnv } from '../config/env-reader.js';
import { loadSharedConfig } from '../config/schema.js';
import { ConfigError, errorMessage } from '../shared/errors.js';
import { covers, fixFor, result, type CheckResult, type DoctorState } from './doctor-types.js';

const FIX_ENV_POD =
  'check the ConfigMap and Secret are mounted (envFrom): `kubectl exec -n botburrow-agents <pod> -- printenv | sort`';
const FIX_ENV_LOCAL = 'export the variable in the shell that starts botburrow-agents (`env | sort` shows what is set)';

/**
 * Required environment variables present and valid, per component diagnosed (the guide's "Missing environment
 * variables" / `KeyError: 'HUB_URL' not found`). Also loads the shared config later checks use.
 */
export function checkEnv(state: DoctorState): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const FIX_ENV = fixFor(state, FIX_ENV_POD, FIX_ENV_LOCAL);
  const components: Component[] = (['coordinator', 'runner'] as const).filter((c) => covers(state, c));
  const byProblem = new Map<string, Component[]>();
  for (const component of components) {
    const specs = ENV_VARS.filter((v) => (v.usedBy as readonly Component[]).includes(component));
    for (const p of readEnv(specs, component, state.options.env).problems)
      byProblem.set(p, [...(byProblem.get(p) ?? []), component]);
  }
  for (const [p, who] of byProblem) out.push(result('env', 'FAIL', `${p} [${who.join(', ')}]`, FIX_ENV));
  if (byProblem.size === 0)
    out.push(result('env', 'PASS', `every variable ${components.join(' and ')} read(s) is set and valid`));
  try {
    state.config = loadSharedConfig(state.options.env, 'cli');
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [errorMessage(error)];
    for (const p of problems) out.push(result('env', 'FAIL', p, FIX_ENV));
  }
  return Promise.resolve(out);
}
