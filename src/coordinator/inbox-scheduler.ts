import type { AgentSummary } from '../hub/types.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import type { CoordinatorMetrics } from './coordinator-metrics.js';
import type { DefinedAgents } from './defined-agents.js';

/**
 * Turn agents with unread notifications into INBOX work: skip undefined agents, let the store dedupe (merge
 * into a queued item, refuse in-flight and backed-off agents). @returns how many new items were queued
 */
export async function scheduleInbox(
  agents: readonly AgentSummary[],
  deps: { store: Store; defined: DefinedAgents; logger: Logger; metrics: CoordinatorMetrics },
): Promise<number> {
  let queued = 0;
  for (const agent of agents) {
    if (!(await deps.defined.isDefined(agent.id))) continue;
    const result = await deps.store.enqueue({
      agent_id: agent.id,
      task_type: 'INBOX',
      inbox_count: agent.notification_count ?? 1,
      has_mention: agent.mention_count === undefined ? true : agent.mention_count > 0,
    });
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
  }
  return queued;
}
