import type { AgentSummary } from '../hub/types.js';
import type { Logger } from '../observability/logger.js';
import { notificationSpans, type NotificationSpans } from './notification-spans.js';
import type { Store } from '../store/store.js';
import type { EnqueueResult, WorkRequest } from '../store/types.js';
import type { CoordinatorMetrics } from './coordinator-metrics.js';
import type { DefinedAgents } from './defined-agents.js';

/** Agents per fenced `enqueueMany` call; the abort signal is checked between batches. */
export const SCHEDULE_BATCH = 1000;

/** What scheduling needs: the store, the leader's fencing token and the signal that ends its leadership. */
export interface ScheduleDeps {
  store: Store;
  defined: DefinedAgents;
  logger: Logger;
  metrics: CoordinatorMetrics;
  token: string;
  signal: AbortSignal;
}

/**
 * Turn agents with unread notifications into INBOX work: skip undefined agents, let the store dedupe (merge
 * into a queued item, refuse backed-off agents and in-flight ones unless something new arrived: `fresh`, the Hub
 * reported the notifications as new since the previous poll, or a larger count than the running item's). Writes go in fenced batches of
 * {@link SCHEDULE_BATCH} (a deposed leader's batch is refused: NotLeaderError) and stop when `signal` aborts.
 * @returns how many new items were queued
 */
export async function scheduleInbox(
  agents: readonly AgentSummary[],
  deps: ScheduleDeps,
  options: { fresh?: boolean } = {},
): Promise<number> {
  let queued = 0;
  for (let i = 0; i < agents.length && !deps.signal.aborted; i += SCHEDULE_BATCH) {
    const batch: AgentSummary[] = [];
    for (const agent of agents.slice(i, i + SCHEDULE_BATCH)) {
      if (await deps.defined.isDefined(agent.id)) batch.push(agent);
    }
    if (batch.length === 0 || deps.signal.aborted) continue;
    const requests = batch.map((agent) => inboxRequest(agent, options.fresh === true));
    const spans: NotificationSpans = notificationSpans(requests);
    let results: EnqueueResult[];
    try {
      results = await deps.store.enqueueMany(requests, { leaderToken: deps.token });
    } catch (error) {
      spans.fail(error);
      throw error;
    }
    results.forEach((result, j) => {
      const agent = batch[j]!;
      spans.end(j, result);
      switch (result.status) {
        case 'enqueued':
          queued++;
          deps.metrics.enqueued.inc({ task_type: 'INBOX', priority: result.item.priority });
          deps.logger.info('work_enqueued', {
            agent_id: agent.id,
            work_id: result.item.id,
            task_type: 'INBOX',
            priority: result.item.priority,
            inbox_count: result.item.inbox_count,
          });
          break;
        case 'merged':
          deps.logger.debug('duplicate_work_merged', {
            agent_id: agent.id,
            work_id: result.item.id,
            inbox_count: result.item.inbox_count,
          });
          break;
        case 'in_flight':
          deps.logger.debug('agent_in_flight', { agent_id: agent.id, work_id: result.workId });
          break;
        case 'in_backoff':
          deps.logger.debug('agent_in_backoff', {
            agent_id: agent.id,
            until: new Date(result.backoff.until).toISOString(),
            failures: result.backoff.failures,
          });
          break;
      }
    });
  }
  return queued;
}

function inboxRequest(agent: AgentSummary, fresh: boolean): WorkRequest {
  return {
    agent_id: agent.id,
    task_type: 'INBOX',
    inbox_count: agent.notification_count ?? 1,
    has_mention: agent.mention_count === undefined ? true : agent.mention_count > 0,
    ...(fresh ? { fresh } : {}),
  };
}
