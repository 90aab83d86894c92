import { z } from 'zod';
import type { Store } from '../store/store.js';
import { PRIORITIES, type DeadWork, type InFlightWork } from '../store/types.js';
import { checkBackoff, checkLeader, checkQueueAge, checkRunnerCoverage } from './doctor-coordination-checks.js';
import { DOCTOR_DEFAULTS, result, type CheckResult, type DoctorCheck, type DoctorState } from './doctor-types.js';
import {
  clearBackoff,
  listActivations,
  listBackoff,
  listDead,
  listQueued,
  requeueDead,
  stopActivation,
  type QueuedEntry,
} from './operator-actions.js';
import { collectStatus, type ActivationStatus, type BackoffStatus, type StatusSnapshot } from './status-snapshot.js';
import { errorMessage } from '../shared/errors.js';

/**
 * The store operations of the operator commands as data, so they run the same against a Redis store opened by the
 * CLI or, server-side, against the in-memory store of a running dev mode (its loopback admin endpoint). Validated
 * with zod where they arrive over HTTP.
 */
export const OperatorRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('ping') }),
  z.object({ op: z.literal('status') }),
  z.object({ op: z.literal('queue-ls'), queue: z.enum(PRIORITIES).optional() }),
  z.object({ op: z.literal('backoff-ls') }),
  z.object({ op: z.literal('backoff-clear'), agent: z.string().min(1).optional() }),
  z.object({ op: z.literal('activation-ls') }),
  z.object({ op: z.literal('activation-stop'), id: z.string().min(1) }),
  z.object({ op: z.literal('dead-ls') }),
  z.object({ op: z.literal('dead-requeue'), id: z.string().min(1).optional() }),
  z.object({
    op: z.literal('doctor-coordination'),
    component: z.enum(['coordinator', 'runner', 'all']),
    staleMinutes: z.number().positive(),
  }),
]);

/** One operator request. */
export type OperatorRequest = z.infer<typeof OperatorRequestSchema>;

/** The JSON answer of each operation. */
export interface OperatorResults {
  /** Store round trip in ms. */
  ping: number;
  status: StatusSnapshot;
  'queue-ls': QueuedEntry[];
  'backoff-ls': BackoffStatus[];
  'backoff-clear': string[];
  'activation-ls': { activations: ActivationStatus[]; inFlight: InFlightWork[] };
  'activation-stop': { stopped: string };
  'dead-ls': DeadWork[];
  'dead-requeue': number;
  /** The doctor's leader, runner-coverage, queue-age and backoff lines. */
  'doctor-coordination': CheckResult[];
}

/** The request of operation `O`. */
export type RequestOf<O extends OperatorRequest['op']> = Extract<OperatorRequest, { op: O }>;

/** The doctor checks that read the coordination store, in order, by id. */
const COORDINATION_CHECKS: readonly (readonly [string, DoctorCheck])[] = [
  ['leader', checkLeader],
  ['runner-coverage', checkRunnerCoverage],
  ['queue-age', checkQueueAge],
  ['backoff', checkBackoff],
];

/** Run the doctor's store checks against `store` (a check that throws becomes a FAIL line). */
export async function runCoordinationChecks(
  state: Pick<DoctorState, 'store' | 'options' | 'agents'>,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [id, check] of COORDINATION_CHECKS) {
    try {
      out.push(...(await check(state)));
    } catch (error) {
      out.push(result(id, 'FAIL', `check failed: ${errorMessage(error)}`));
    }
  }
  return out;
}

/** Run one operator request against a store. @throws OperationsError `not_found` (stop, clear, requeue) */
export async function runOperatorRequest<O extends OperatorRequest['op']>(
  store: Store,
  request: RequestOf<O>,
  now: number = Date.now(),
): Promise<OperatorResults[O]> {
  const req = request as OperatorRequest;
  const answer = async (): Promise<OperatorResults[OperatorRequest['op']]> => {
    switch (req.op) {
      case 'ping':
        return store.ping();
      case 'status':
        return collectStatus({ store, now: () => now });
      case 'queue-ls':
        return listQueued(store, req.queue, now);
      case 'backoff-ls':
        return listBackoff(store, now);
      case 'backoff-clear':
        return clearBackoff(store, req.agent);
      case 'activation-ls':
        return listActivations(store, now);
      case 'activation-stop':
        await stopActivation(store, req.id);
        return { stopped: req.id };
      case 'dead-ls':
        return listDead(store);
      case 'dead-requeue':
        return requeueDead(store, req.id);
      case 'doctor-coordination':
        return runCoordinationChecks({
          store,
          agents: [],
          options: {
            env: {},
            component: req.component,
            staleMinutes: req.staleMinutes,
            slowRedisMs: DOCTOR_DEFAULTS.slowRedisMs,
            timeoutMs: DOCTOR_DEFAULTS.timeoutMs,
            executors: undefined as never,
            github: {},
            now: () => now,
          },
        });
    }
  };
  return (await answer()) as OperatorResults[O];
}
