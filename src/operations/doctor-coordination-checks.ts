import { queuesForMode } from '../store/priority.js';
import { PRIORITIES, type Priority } from '../store/types.js';
import type { RunnerMode } from '../config/schema.js';
import { formatDuration, formatTime, truncate } from './format-text.js';
import { fixFor, result, type CheckResult, type DoctorState } from './doctor-types.js';

const NO_STORE = 'not checked: Redis is unreachable';
const RUNNER_LABEL = '`kubectl get pods -n botburrow-agents -l app.kubernetes.io/component=runner`';
const RUNNER_LOCAL = 'that `botburrow-agents runner` (or `botburrow-agents dev`) runs against this store';

function checkRunners(state: DoctorState): string {
  return fixFor(state, RUNNER_LABEL, RUNNER_LOCAL);
}

/** A leader exists and its lease is live (the guide's "Coordinator Not Polling": only the leader polls). */
export async function checkLeader(state: DoctorState): Promise<CheckResult[]> {
  if (!state.store) return [result('leader', 'SKIP', `leader ${NO_STORE}`)];
  const leader = await state.store.currentLeader();
  if (!leader) {
    return [
      result(
        'leader',
        'FAIL',
        'no coordinator is leader (coordinator:leader is empty): nothing polls the Hub or fills the queues',
        fixFor(
          state,
          'check `kubectl get pods -n botburrow-agents -l app.kubernetes.io/name=coordinator` and its logs for became_leader; leadership needs Redis',
          'start `botburrow-agents coordinator` (HUB_URL, HUB_API_KEY, VALKEY_URL) or `botburrow-agents dev`, and look for became_leader in its logs',
        ),
      ),
    ];
  }
  const fresh = leader.ttlMs > 0;
  return [
    result(
      'leader',
      fresh ? 'PASS' : 'WARN',
      `leader ${leader.instanceId} (epoch ${leader.epoch}, lease ${fresh ? `${formatDuration(leader.ttlMs)} left` : 'has no expiry'})`,
      'the leader key must carry a TTL: delete coordinator:leader and let a coordinator re-acquire it',
    ),
  ];
}

function isMode(mode: string): mode is RunnerMode {
  return mode === 'notification' || mode === 'exploration' || mode === 'hybrid';
}

/**
 * Every queue with work is watched by a live runner (the guide's "Priority queue mismatch" / "Wrong runner mode"),
 * and INBOX (notification|hybrid) and DISCOVERY (exploration|hybrid) work both have runners.
 */
export async function checkRunnerCoverage(state: DoctorState): Promise<CheckResult[]> {
  if (!state.store) return [result('runner-coverage', 'SKIP', `runners ${NO_STORE}`)];
  const [runners, depths] = await Promise.all([state.store.listRunners(), state.store.queueDepths()]);
  const watched = new Set<Priority>(runners.flatMap((r) => (isMode(r.mode) ? queuesForMode(r.mode) : [])));
  const modes = [...new Set(runners.map((r) => r.mode))].sort();
  const out: CheckResult[] = [];
  for (const queue of PRIORITIES) {
    if (depths[queue] > 0 && !watched.has(queue)) {
      const want = queue === 'low' ? 'exploration or hybrid' : 'notification or hybrid';
      out.push(
        result(
          'runner-coverage',
          'FAIL',
          `work:queue:${queue} holds ${depths[queue]} item(s) but no live runner watches it (live modes: ${modes.join(', ') || 'none'})`,
          `start ${want} runners (RUNNER_MODE); check ${checkRunners(state)}`,
        ),
      );
    }
  }
  if (runners.length === 0 && out.length === 0) {
    out.push(
      result('runner-coverage', 'WARN', 'no live runners (no runner:heartbeat:* keys)', `check ${checkRunners(state)}`),
    );
  } else if (out.length === 0) {
    const inbox = watched.has('high') && watched.has('normal');
    const discovery = watched.has('low');
    const counts = modes.map((m) => `${runners.filter((r) => r.mode === m).length} ${m}`).join(', ');
    out.push(
      inbox && discovery
        ? result(
            'runner-coverage',
            'PASS',
            `${runners.length} live runner(s) (${counts}) cover INBOX and DISCOVERY work`,
          )
        : result(
            'runner-coverage',
            'WARN',
            `live runners (${counts}) claim no ${inbox ? 'DISCOVERY' : 'INBOX'} work`,
            `deploy runner-hybrid or runner-${inbox ? 'exploration' : 'notification'}; check ${checkRunners(state)}`,
          ),
    );
  }
  return out;
}

/** Queued items older than `staleMinutes` (the guide's "Slow Work Distribution"). */
export async function checkQueueAge(state: DoctorState): Promise<CheckResult[]> {
  if (!state.store) return [result('queue-age', 'SKIP', `queues ${NO_STORE}`)];
  const now = state.options.now();
  const limitMs = state.options.staleMinutes * 60_000;
  const out: CheckResult[] = [];
  for (const queue of PRIORITIES) {
    const items = await state.store.listQueue(queue);
    const old = items.filter((i) => now - i.enqueued_at > limitMs);
    if (old.length === 0) continue;
    const oldest = Math.max(...old.map((i) => now - i.enqueued_at));
    out.push(
      result(
        'queue-age',
        'WARN',
        `work:queue:${queue}: ${old.length} item(s) waiting longer than ${state.options.staleMinutes} min (oldest ${formatDuration(oldest)})`,
        fixFor(
          state,
          'scale runners (`kubectl scale deployment/runner-hybrid -n botburrow-agents --replicas=N`) and check runner logs for claim',
          'start more runners (`botburrow-agents runner`, or `dev --runners N`) and check runner logs for claim',
        ),
      ),
    );
  }
  if (out.length === 0)
    out.push(result('queue-age', 'PASS', `no queued item older than ${state.options.staleMinutes} min`));
  return out;
}

/** Agents whose circuit breaker is open (the guide's "Agents in circuit breaker"). */
export async function checkBackoff(state: DoctorState): Promise<CheckResult[]> {
  if (!state.store) return [result('backoff', 'SKIP', `backoff ${NO_STORE}`)];
  const now = state.options.now();
  const active = Object.entries(await state.store.listBackoff()).filter(([, b]) => b.until > now);
  if (active.length === 0) return [result('backoff', 'PASS', 'no agent in backoff')];
  return active.map(([agent, b]) =>
    result(
      'backoff',
      'WARN',
      `agent ${agent} in backoff until ${formatTime(b.until)} after ${b.failures} failure(s): ${truncate(b.last_error, 100)}`,
      `fix the cause; it clears by itself, or \`botburrow-agents backoff clear ${agent}\` (emergency)`,
    ),
  );
}
