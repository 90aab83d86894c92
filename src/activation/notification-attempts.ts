import type { Clock } from '../shared/clock.js';
import type { EventCounters } from '../store/event-counters.js';

/** How long failed attempts at one notification are remembered. */
const ATTEMPT_WINDOW_MS = 7 * 24 * 3_600_000;
/** How long a model answer counts as proof that the model endpoint works. */
const LLM_OK_WINDOW_MS = 3_600_000;

/** How often one process notes model answers per endpoint and store. */
const NOTE_EVERY_MS = 1_000;
/** When this process last saw, and last noted, a model answer, per store and endpoint. */
const answers = new WeakMap<EventCounters, Map<string, { answered: number; noted: number }>>();

/** The default of MAX_NOTIFICATION_ATTEMPTS. */
export const DEFAULT_MAX_NOTIFICATION_ATTEMPTS = 3;

/**
 * Failed attempts at answering one notification, counted in the store and therefore across runners, restarts and
 * redeliveries (`limits:<agent>:attempts:<notification>`, one entry per activation, so a redelivered activation
 * does not count twice). After `max` the notification is marked read as failed, so one poison notification cannot
 * block an agent's inbox; a notification that failed before (counted or not, `limits:<agent>:failed_at:<id>`) is
 * tried after the others. An unreachable model counts only when the same model endpoint answered other prompts
 * since this notification last failed (`limits:llm_ok:<endpoint>`): otherwise the model is down for everyone, an
 * outage that must not burn attempts.
 */
export class NotificationAttempts {
  constructor(
    private readonly counters: EventCounters,
    private readonly clock: Clock,
    private readonly agentId: string,
    readonly max: number,
  ) {}

  /** Counted attempts so far, and whether it failed before at all (for the order notifications are tried in). */
  async tried(notificationId: string): Promise<{ attempts: number; failedBefore: boolean }> {
    const t = await this.counters.countAndOldest(
      this.key('attempts', notificationId),
      this.key('failed_at', notificationId),
      0,
    );
    return { attempts: t.count, failedBefore: t.oldest !== null };
  }

  /** Note a failure of the notification now; returns when it failed before (epoch ms), if it did. */
  async noteFailure(notificationId: string): Promise<number | undefined> {
    const key = this.key('failed_at', notificationId);
    const previous = await this.counters.oldestEvent(key, 0);
    await this.counters.addEvent(key, 'last', this.clock.now(), ATTEMPT_WINDOW_MS);
    return previous ?? undefined;
  }

  /** Count one failed attempt (by `attemptId`, the activation) and return the attempts so far. */
  async record(notificationId: string, attemptId: string): Promise<number> {
    const key = this.key('attempts', notificationId);
    await this.counters.addEvent(key, attemptId, this.clock.now(), ATTEMPT_WINDOW_MS);
    return this.counters.countEvents(key, 0);
  }

  /**
   * The model at `endpoint` answered a prompt (any agent's). Kept in this process, and noted in the store (for other
   * runners) at most once a second per endpoint: a busy runner would otherwise add a store write to every model call,
   * and the evidence is read against a notification's last failure, whose retry comes seconds to minutes later.
   */
  async modelAnswered(endpoint: string, answerId: string): Promise<void> {
    const now = this.clock.now();
    let seen = answers.get(this.counters);
    if (!seen) answers.set(this.counters, (seen = new Map<string, { answered: number; noted: number }>()));
    const last = seen.get(endpoint);
    const note = last === undefined || now < last.noted || now - last.noted >= NOTE_EVERY_MS;
    seen.set(endpoint, { answered: now, noted: note ? now : last.noted });
    if (note) await this.counters.addEvent(`llm_ok:${endpoint}`, answerId, now, LLM_OK_WINDOW_MS);
  }

  /** Did the model at `endpoint` answer any prompt after `sinceMs` (in this process, or noted by any)? */
  async modelAnsweredSince(endpoint: string, sinceMs: number): Promise<boolean> {
    if ((answers.get(this.counters)?.get(endpoint)?.answered ?? -1) > sinceMs) return true;
    return (await this.counters.countEvents(`llm_ok:${endpoint}`, sinceMs + 1)) > 0;
  }

  private key(kind: 'attempts' | 'failed_at', notificationId: string): string {
    return `${this.agentId}:${kind}:${notificationId}`;
  }
}
