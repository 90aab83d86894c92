import { formatDuration, formatTable, formatTime, truncate } from './format-text.js';
import type { StatusSnapshot } from './status-snapshot.js';

/** The human output of `botburrow-agents status`: one titled block per part of the snapshot. */
export function renderStatus(s: StatusSnapshot): string {
  const leader = s.leader
    ? `${s.leader.instance_id} (epoch ${s.leader.epoch}, lease ${formatDuration(s.leader.lease_remaining_ms)} left)`
    : 'NONE: no coordinator holds coordinator:leader (run `botburrow-agents doctor`)';
  const blocks = [
    `Leader: ${leader}`,
    ...(s.hub ? [`Hub: ${s.hub.url} ${s.hub.ok ? 'ok' : `UNREACHABLE: ${truncate(s.hub.detail, 120)}`}`] : []),
    `Queues:\n${formatTable(
      ['QUEUE', 'DEPTH', 'OLDEST'],
      s.queues.map((q) => [`work:queue:${q.queue}`, String(q.depth), formatDuration(q.oldest_age_ms)]),
    )}`,
    `In-flight activations (${s.activations.length}):\n${formatTable(
      ['ACTIVATION', 'AGENT', 'RUNNER', 'TASK', 'AGE', 'ITERATION'],
      s.activations.map((a) => [
        a.activation_id,
        a.agent_id,
        a.runner_id,
        a.task_type,
        formatDuration(a.age_ms),
        String(a.iteration),
      ]),
    )}`,
    `Runners (${s.runners.length}):\n${formatTable(
      ['RUNNER', 'MODE', 'STATE', 'LAST HEARTBEAT'],
      s.runners.map((r) => [r.runner_id, r.mode, r.state, `${formatDuration(r.heartbeat_age_ms)} ago`]),
    )}`,
    `Backoff (${s.backoff.filter((b) => b.active).length} active):\n${renderBackoffRows(s.backoff)}`,
    `Dead letters: ${s.dead_letters}${s.dead_letters > 0 ? ' (botburrow-agents dead ls)' : ''}`,
  ];
  return blocks.join('\n\n');
}

/** The backoff table shared by `status` and `backoff ls`. */
export function renderBackoffRows(rows: StatusSnapshot['backoff']): string {
  return formatTable(
    ['AGENT', 'UNTIL', 'REMAINING', 'FAILURES', 'LAST ERROR'],
    rows.map((b) => [
      b.agent_id,
      formatTime(b.until),
      b.active ? formatDuration(b.remaining_ms) : 'expired',
      String(b.failures),
      truncate(b.last_error, 60),
    ]),
  );
}
