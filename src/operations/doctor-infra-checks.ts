import { HttpHubClient } from '../hub/http-hub-client.js';
import { HubAuthError } from '../hub/errors.js';
import { errorMessage } from '../shared/errors.js';
import { openStore, redactRedisUrl } from './open-store.js';
import { fixFor, inPod, result, type CheckResult, type DoctorState } from './doctor-types.js';

const FIX_REDIS =
  'check VALKEY_URL (in-cluster redis://valkey.botburrow-agents.svc.cluster.local:6379) and `kubectl get pods -n botburrow-agents -l app=valkey`';
const FIX_REDIS_LOCAL =
  'set VALKEY_URL to a running Redis/Valkey (e.g. `export VALKEY_URL=redis://localhost:6379` after `redis-server --port 6379`), or start `botburrow-agents dev` in this folder';
const FIX_HUB =
  'check HUB_URL (in-cluster http://hub.botburrow.svc.cluster.local:8000): `curl -v $HUB_URL/api/v1/health` from the pod, VPN/Tailscale mesh, firewall';
const FIX_HUB_KEY = 'check HUB_API_KEY in Secret botburrow-agents-secrets and that the Hub accepts it';
const FIX_HUB_KEY_LOCAL =
  "export HUB_API_KEY (the service key; `botburrow-agents dev keys` prints a dev Hub's) and check the Hub accepts it";

/** Redis/Valkey reachable: PING and its latency (the guide's "Redis connection failure" and `redis-cli --latency`). */
export async function checkRedis(state: DoctorState): Promise<CheckResult[]> {
  const config = state.config;
  if (!config) return [result('redis', 'SKIP', 'Redis not checked: the configuration did not load')];
  const target = state.options.storeTarget;
  const local = !inPod(state);
  if (target instanceof Error) return [result('redis', 'FAIL', target.message, local ? FIX_REDIS_LOCAL : FIX_REDIS)];
  if (target?.kind === 'dev') {
    try {
      const { runOnTarget } = await import('./operator-client.js');
      const latency = await runOnTarget(target, config, { op: 'ping' });
      state.devStore = target;
      return [
        result('redis', 'PASS', `dev mode at ${target.url} answered PING in ${latency.toFixed(1)} ms (its store)`),
      ];
    } catch (error) {
      return [result('redis', 'FAIL', errorMessage(error), 'start `botburrow-agents dev` again, or set VALKEY_URL')];
    }
  }
  const redisUrl = target?.url ?? config.redisUrl;
  const url = redactRedisUrl(redisUrl);
  try {
    state.store = await openStore({ ...config, redisUrl });
    const latency = await state.store.ping();
    const shown = `${latency.toFixed(1)} ms`;
    return latency > state.options.slowRedisMs
      ? [
          result(
            'redis',
            'WARN',
            `${url} answered PING in ${shown} (slow)`,
            'check Redis latency: `redis-cli --latency`; keep Valkey close to the runners',
          ),
        ]
      : [result('redis', 'PASS', `${url} answered PING in ${shown}`)];
  } catch (error) {
    return [result('redis', 'FAIL', errorMessage(error), local ? FIX_REDIS_LOCAL : FIX_REDIS)];
  }
}

/**
 * The checks that read the coordination store (leader, runner coverage, queue age, backoff): here on Redis, or
 * server-side in the running dev mode.
 */
export async function checkCoordination(state: DoctorState): Promise<CheckResult[]> {
  const { runCoordinationChecks } = await import('./operator-requests.js');
  if (state.devStore && state.config) {
    const { runOnTarget } = await import('./operator-client.js');
    return runOnTarget(state.devStore, state.config, {
      op: 'doctor-coordination',
      component: state.options.component,
      staleMinutes: state.options.staleMinutes,
    });
  }
  return runCoordinationChecks(state);
}

/**
 * Hub reachable (`GET $HUB_URL/api/v1/health`) and the key accepted (an authenticated read; 401 is the guide's
 * "Hub API authentication" case).
 */
export async function checkHub(state: DoctorState): Promise<CheckResult[]> {
  const config = state.config;
  if (!config?.hubUrl) return [result('hub', 'SKIP', 'Hub not checked: HUB_URL is not set')];
  const timeoutMs = state.options.timeoutMs;
  const client = new HttpHubClient({ baseUrl: config.hubUrl, apiKey: config.hubApiKey, retry: { attempts: 1 } });
  try {
    await client.health({ timeoutMs });
  } catch (error) {
    return [
      result('hub', 'FAIL', `Hub unreachable at ${config.hubUrl}/api/v1/health: ${errorMessage(error)}`, FIX_HUB),
    ];
  }
  const out = [result('hub', 'PASS', `${config.hubUrl}/api/v1/health answered`)];
  if (!config.hubApiKey)
    return [
      ...out,
      result('hub-auth', 'FAIL', 'HUB_API_KEY is not set', fixFor(state, FIX_HUB_KEY, FIX_HUB_KEY_LOCAL)),
    ];
  try {
    await client.listAgentsWithNotifications({ timeoutMs });
    state.hub = client;
    out.push(result('hub-auth', 'PASS', 'the Hub accepted HUB_API_KEY'));
  } catch (error) {
    out.push(
      error instanceof HubAuthError
        ? result(
            'hub-auth',
            'FAIL',
            '401 Unauthorized from Hub API: HUB_API_KEY was rejected',
            fixFor(state, FIX_HUB_KEY, FIX_HUB_KEY_LOCAL),
          )
        : result('hub-auth', 'WARN', `authenticated Hub request failed: ${errorMessage(error)}`, FIX_HUB),
    );
  }
  return out;
}
