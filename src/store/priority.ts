import type { Priority, TaskType } from './types.js';
import { PRIORITIES } from './types.js';

/** Queue mapping: INBOX with a mention → high, other INBOX → normal, DISCOVERY → low. */
export function priorityFor(taskType: TaskType, hasMention = false): Priority {
  if (taskType === 'DISCOVERY') return 'low';
  return hasMention ? 'high' : 'normal';
}

/** The queues a runner mode watches, highest first (notification: high+normal; exploration: low; hybrid: all). */
export function queuesForMode(mode: 'notification' | 'exploration' | 'hybrid'): Priority[] {
  switch (mode) {
    case 'notification':
      return ['high', 'normal'];
    case 'exploration':
      return ['low'];
    case 'hybrid':
      return [...PRIORITIES];
  }
}

/** Sort and dedupe a list of queues into service order (high before normal before low). */
export function inServiceOrder(queues: readonly Priority[]): Priority[] {
  return PRIORITIES.filter((p) => queues.includes(p));
}

/** Rank for comparisons: 0 = high. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}
