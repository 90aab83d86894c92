import type { DeadWork, InFlightWork } from '../store/types.js';
import { formatDuration, formatTable, formatTime, truncate } from './format-text.js';
import type { QueuedEntry } from './operator-actions.js';
import type { ActivationStatus } from './status-snapshot.js';

/** `queue ls`: one row per queued item in claim order. */
export function renderQueued(entries: readonly QueuedEntry[]): string {
  return formatTable(
    ['QUEUE', '#', 'WORK ID', 'AGENT', 'TASK', 'INBOX', 'MENTION', 'ATTEMPT', 'AGE'],
    entries.map((e) => [
      e.queue,
      String(e.position),
      e.item.id,
      e.item.agent_id,
      e.item.task_type,
      String(e.item.inbox_count),
      e.item.has_mention ? 'yes' : 'no',
      String(e.item.attempt),
      formatDuration(e.age_ms),
    ]),
  );
}

/** `activation ls`: running activations, then in-flight items (a claim that has no record yet or any more). */
export function renderActivations(
  activations: readonly ActivationStatus[],
  inFlight: readonly InFlightWork[],
  now = Date.now(),
): string {
  const table = formatTable(
    ['ACTIVATION', 'AGENT', 'RUNNER', 'TASK', 'AGE', 'ITERATION', 'HEARTBEAT'],
    activations.map((a) => [
      a.activation_id,
      a.agent_id,
      a.runner_id,
      a.task_type,
      formatDuration(a.age_ms),
      String(a.iteration),
      `${formatDuration(a.heartbeat_age_ms)} ago`,
    ]),
  );
  const work = formatTable(
    ['WORK ID', 'AGENT', 'TASK', 'RUNNER', 'CLAIMED', 'LEASE LEFT'],
    inFlight.map((w) => [
      w.item.id,
      w.item.agent_id,
      w.item.task_type,
      w.runner_id,
      `${formatDuration(Math.max(0, now - w.claimed_at))} ago`,
      formatDuration(Math.max(0, w.lease_deadline - now)),
    ]),
  );
  return `Activations (${activations.length}):\n${table}\n\nIn-flight work (${inFlight.length}):\n${work}`;
}

/** `dead ls`: one row per dead letter, newest first. */
export function renderDead(dead: readonly DeadWork[]): string {
  return formatTable(
    ['WORK ID', 'AGENT', 'TASK', 'QUEUE', 'ATTEMPTS', 'DEAD AT', 'REASON'],
    dead.map((d) => [
      d.item.id,
      d.item.agent_id,
      d.item.task_type,
      d.item.priority,
      String(d.item.attempt),
      formatTime(d.dead_at),
      truncate(d.reason, 60),
    ]),
  );
}
