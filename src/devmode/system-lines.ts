import { extractMentions } from '../devhub/mentions.js';
import type { LogFields } from '../observability/logger.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { AgentPlan } from './agent-plans.js';

/** Why a mention got no reply. */
export type SystemLineKind =
  'unknown_agent' | 'unavailable' | 'failed' | 'loop_guard' | 'skipped' | 'opted_out' | 'deferred';

/**
 * A muted line the dev page shows under the post or comment that mentioned an agent, saying why no reply came.
 * Dev-page only: it is not a Hub post, so no agent ever sees it in its thread.
 */
export interface SystemLine {
  /** Increasing from 1. */
  seq: number;
  postId: string;
  /** The comment that mentioned the agent; null for the post itself. */
  commentId: string | null;
  /** The agent it is about (for an unknown name: the name as written). */
  agent: string;
  kind: SystemLineKind;
  /** Redacted. */
  text: string;
  activationId: string | undefined;
  at: string;
}

/** A post or comment as the Hub's events carry it. */
interface HubItem {
  id: string;
  post_id?: string;
  content: string;
  title?: string | null;
  author: { id: string };
}

/** What the lines are read against: the dev mode's plans and its Hub. */
export interface HubView {
  /** The agents dev mode planned (unavailable and invalid ones say why). */
  plans: readonly AgentPlan[];
  /** Whether a name is an agent (or the human) on the Hub. */
  exists: (name: string) => boolean;
  /** Where a notification points, from the Hub's store. */
  target: (notificationId: string) => NotificationTarget | undefined;
}

/** Where a notification points. */
export interface NotificationTarget {
  postId: string | null;
  commentId: string | null;
}

const OUTCOME_TEXT: Readonly<Record<string, (reason: string | undefined) => [SystemLineKind, string]>> = {
  skipped: () => ['skipped', 'chose not to answer (SKIP)'],
  loop_guard: (reason) => [
    'loop_guard',
    `stopped by the loop guard (${reason ?? 'limit'}): raise behavior.${reason ?? 'max_agent_replies_per_thread'} ` +
      'to allow longer agent-to-agent exchanges',
  ],
  opted_out: (reason) => ['opted_out', `does not answer this (${reason ?? 'opted out'} in its behavior)`],
  failed: (reason) => ['failed', `could not answer: ${reason ?? 'failed'}`],
  deferred_budget: (reason) => [
    'deferred',
    `will answer later: ${reason ?? 'a limit'} is used up (the agent is parked until it frees)`,
  ],
  agent_unavailable: (reason) => ['unavailable', `is not available: ${reason ?? 'its executor cannot run here'}`],
};

/**
 * The dev page's system lines: every mention gets a visible outcome. Fed by the dev Hub's `post`/`comment` events
 * (mentions of unknown or unavailable agents), by the runners' `notification_outcome` log events (SKIP, loop guard,
 * opted out, failed, deferred) and by the observed executor (a failed run, with its redacted error). Keeps the
 * most recent `max` lines; one line per (activation, agent, target) for failures.
 */
export class SystemLines {
  private readonly lines: SystemLine[] = [];
  private readonly failedTargets = new Set<string>();
  private seq = 0;
  private readonly clock: Clock;
  private readonly max: number;
  private readonly redact: (text: string) => string;

  private hub: HubView | undefined;

  constructor(options: { redact?: (text: string) => string; max?: number; clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    this.max = options.max ?? 2000;
    this.redact = options.redact ?? ((t) => t);
  }

  /** Start reading mentions and outcomes against this Hub and these plans (until then they are ignored). */
  attach(hub: HubView): void {
    this.hub = hub;
  }

  /** A post (no `post_id`) or comment was created: a line per mention of an unknown or unavailable agent. */
  onHubItem(item: HubItem): void {
    const hub = this.hub;
    if (!hub) return;
    const postId = item.post_id ?? item.id;
    const commentId = item.post_id ? item.id : null;
    const text = `${item.title ?? ''}\n${item.content}`;
    for (const name of extractMentions(text)) {
      if (name === item.author.id) continue;
      const plan = hub.plans.find((p) => p.name === name);
      if (!hub.exists(name)) {
        const known = hub.plans.filter((p) => p.status === 'live').map((p) => `@${p.name}`);
        this.add({
          postId,
          commentId,
          agent: name,
          kind: 'unknown_agent',
          text:
            `no agent named @${name}: nobody was notified` +
            (known.length > 0 ? ` (agents that answer here: ${known.join(', ')})` : ''),
        });
      } else if (plan && plan.status !== 'live') {
        const what = plan.status === 'invalid' ? 'has an invalid definition' : 'is not available in dev mode';
        this.add({ postId, commentId, agent: name, kind: 'unavailable', text: `@${name} ${what}: ${plan.reason}` });
      }
    }
  }

  /** A runner log event (child bindings merged): `notification_outcome` other than `replied`. */
  onLog(event: string, fields: LogFields): void {
    if (event !== 'notification_outcome') return;
    const outcome = typeof fields.outcome === 'string' ? fields.outcome : '';
    const describe = OUTCOME_TEXT[outcome];
    const notificationId = typeof fields.notification_id === 'string' ? fields.notification_id : '';
    const agent = typeof fields.agent_id === 'string' ? fields.agent_id : '?';
    if (!describe || !notificationId || !this.hub) return;
    const target = this.hub.target(notificationId);
    if (!target?.postId) return;
    const activationId = typeof fields.activation_id === 'string' ? fields.activation_id : undefined;
    const key = failureKey(activationId, agent, target.postId, target.commentId);
    if (outcome === 'failed' && this.failedTargets.has(key)) return; // the run's own error is shown already
    const [kind, text] = describe(typeof fields.reason === 'string' ? fields.reason : undefined);
    this.add({
      postId: target.postId,
      commentId: target.commentId,
      agent,
      kind,
      text: `@${agent} ${text}`,
      activationId,
    });
  }

  /** A run of `agent` on the notification at `target` failed with `error`. */
  onRunFailed(agent: string, activationId: string | undefined, target: NotificationTarget, error: string): void {
    if (!target.postId) return;
    const key = failureKey(activationId, agent, target.postId, target.commentId);
    if (this.failedTargets.has(key)) return;
    this.failedTargets.add(key);
    if (this.failedTargets.size > this.max) this.failedTargets.delete(this.failedTargets.values().next().value!);
    const text = `@${agent} could not answer: ${error}`;
    this.add({ postId: target.postId, commentId: target.commentId, agent, kind: 'failed', text, activationId });
  }

  /** The lines of one thread, oldest first. */
  forPost(postId: string): SystemLine[] {
    return this.lines.filter((l) => l.postId === postId).map((l) => ({ ...l }));
  }

  private add(line: Omit<SystemLine, 'seq' | 'at' | 'activationId'> & { activationId?: string }): void {
    this.lines.push({
      ...line,
      text: this.redact(line.text),
      activationId: line.activationId,
      seq: ++this.seq,
      at: new Date(this.clock.now()).toISOString(),
    });
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
}

function failureKey(activationId: string | undefined, agent: string, postId: string, commentId: string | null): string {
  return `${activationId ?? '-'}|${agent}|${postId}|${commentId ?? '-'}`;
}
