import { randomUUID } from 'node:crypto';
import { priorityFor } from '../priority.js';
import type { EnqueueResult, WorkRequest } from '../types.js';
import { decodeBackoff, decodeItem } from './codec.js';
import { isScriptErrorCode, scriptError } from './script-errors.js';
import type { ScriptRunner } from './scripts.js';

/** Requests per enqueue script call: at ~10 µs each, one call holds Redis for a few ms at most. */
export const ENQUEUE_BATCH = 500;

/**
 * Run `enqueue-13.lua` over `requests` in batches of {@link ENQUEUE_BATCH}, pipelined on the connection (all calls
 * are sent before the first reply is read). With `leaderToken` each batch is fenced.
 * @throws NotLeaderError if `leaderToken` is given and is not the current leader's
 */
export async function enqueueBatches(
  scripts: ScriptRunner,
  keys: readonly string[],
  requests: readonly WorkRequest[],
  leaderToken: string | undefined,
): Promise<EnqueueResult[]> {
  const batches: Promise<EnqueueResult[]>[] = [];
  for (let i = 0; i < requests.length; i += ENQUEUE_BATCH) {
    const args: (string | number)[] = [leaderToken ?? ''];
    for (const r of requests.slice(i, i + ENQUEUE_BATCH)) {
      const priority = priorityFor(r.task_type, r.has_mention);
      args.push(
        r.agent_id,
        r.task_type,
        priority,
        r.inbox_count ?? 0,
        r.has_mention ? '1' : '0',
        randomUUID(),
        r.traceparent ?? '',
        r.fresh ? '1' : '0',
      );
    }
    batches.push(
      scripts.run('enqueue', keys, args).then((r) => {
        if (isScriptErrorCode(r)) throw scriptError(r, { script: 'enqueue' });
        return decodeEnqueueResults(r as string[]);
      }),
    );
  }
  return (await Promise.all(batches)).flat();
}

/** The enqueue script's flat reply (status, payload per request) as results. */
function decodeEnqueueResults(flat: string[]): EnqueueResult[] {
  const out: EnqueueResult[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const status = flat[i] as EnqueueResult['status'];
    const payload = flat[i + 1]!;
    if (status === 'in_flight') out.push({ status, workId: payload });
    else if (status === 'in_backoff') out.push({ status, backoff: decodeBackoff(payload) });
    else out.push({ status, item: decodeItem(payload) });
  }
  return out;
}
