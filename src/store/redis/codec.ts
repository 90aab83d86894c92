import { StoreError } from '../errors.js';
import type { ActivationRecord, BackoffState, DeadWork, RunnerInfo, TaskType, WorkItem } from '../types.js';

function parse<T>(json: string, what: string): T {
  try {
    return JSON.parse(json) as T;
  } catch (cause) {
    throw new StoreError('store_unavailable', `corrupt ${what} record in Redis`, { cause });
  }
}

/** A queue entry. */
export const decodeItem = (json: string): WorkItem => parse<WorkItem>(json, 'work item');
/** A `work:backoff` value. */
export const decodeBackoff = (json: string): BackoffState => parse<BackoffState>(json, 'backoff');
/** A `work:dead` entry. */
export const decodeDead = (json: string): DeadWork => parse<DeadWork>(json, 'dead letter');
/** A runner heartbeat value. */
export const decodeRunner = (json: string): RunnerInfo => parse<RunnerInfo>(json, 'runner');
/** A `work:inflight` value. */
export const decodeInFlight = (
  json: string,
): { item: WorkItem; runner_id: string; token: string; claimed_at: number } => parse(json, 'in-flight');

/** An `activation:{id}` hash as returned by HGETALL. */
export function decodeActivation(hash: Record<string, string>): ActivationRecord {
  return {
    activation_id: hash.activation_id ?? '',
    agent_id: hash.agent_id ?? '',
    runner_id: hash.runner_id ?? '',
    task_type: (hash.task_type ?? 'INBOX') as TaskType,
    work_id: hash.work_id ?? '',
    started_at: Number(hash.started_at ?? 0),
    heartbeat_at: Number(hash.heartbeat_at ?? 0),
    iteration: Number(hash.iteration ?? 0),
  };
}
