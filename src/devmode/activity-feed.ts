import type { WebPanelItem } from '../devhub/dev-hub-context.js';
import type { LogFields } from '../observability/logger.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { parseHubItems } from './offline-answer.js';

/** Where an activation stands. */
export type ActivityStatus = 'running' | 'completed' | 'skipped' | 'failed' | 'timeout' | 'stopped' | 'released';

/** How one notification of an activation ended (the runner's `notification_outcome` log event). */
export interface ActivityOutcome {
  notificationId: string;
  /** `replied`, `skipped`, `opted_out`, `not_answerable`, `failed`, `loop_guard`, `deferred_budget`, ... */
  outcome: string;
  /** Who wrote what triggered the notification (name, without `@`). */
  from: string | undefined;
  /** Why, for everything but `replied`: e.g. `max_agent_replies_per_thread`, `respond_to_replies`. */
  reason: string | undefined;
}

/** One activation as the activity panel shows it. */
export interface ActivityRecord {
  id: string;
  agent: string;
  runner: string | undefined;
  /** What woke the agent, e.g. `@human mentioned: "what is a circuit breaker?"` or `discovery`. */
  trigger: string;
  status: ActivityStatus;
  iterations: number;
  /** Tool names in call order. */
  toolCalls: string[];
  tokensIn: number;
  tokensOut: number;
  model: string | undefined;
  /** Seconds, once finished. */
  durationS: number | undefined;
  error: string | undefined;
  /** Why a skipped activation answered nothing. */
  reason: string | undefined;
  /** Each notification's outcome, in the order the activation recorded them. */
  outcomes: ActivityOutcome[];
  startedAt: string;
}

const FINAL_EVENTS: Readonly<Record<string, ActivityStatus>> = {
  activation_completed: 'completed',
  activation_failed: 'failed',
  activation_timeout: 'timeout',
  activation_stopped: 'stopped',
  activation_released: 'released',
};

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The live list of activations behind the dev page's activity panel, fed in-process: runner log events
 * (`activation_started`, `activation_completed`, `activation_failed`, ... through a tee logger) and the executor's
 * iteration and tool-call callbacks (keyed by agent: the store never runs two activations of one agent at once).
 * Keeps the most recent `max` activations; `onChange` fires after every update.
 */
export class ActivityFeed {
  private readonly records: ActivityRecord[] = [];
  private readonly running = new Map<string, ActivityRecord>();
  /** Outcomes logged before their activation's record exists (bounded, oldest activation dropped first). */
  private readonly pending = new Map<string, ActivityOutcome[]>();
  private readonly clock: Clock;
  private readonly max: number;

  constructor(
    private readonly options: {
      max?: number;
      clock?: Clock;
      onChange?: () => void;
      /** Applied to error text and prompts before they are kept (secret values of the environment). */
      redact?: (text: string) => string;
    } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.max = options.max ?? 50;
  }

  /** A log event of a runner (any other event is ignored). */
  onLog(event: string, fields: LogFields): void {
    const id = str(fields.activation_id);
    if (!id) return;
    if (event === 'activation_started') return this.start(id, fields);
    const record = this.records.find((r) => r.id === id);
    if (event === 'notification_outcome') return this.outcome(id, record, fields);
    if (!record) return;
    if (event === 'activation_skipped') {
      record.reason = str(fields.reason);
      return this.changed();
    }
    const status = FINAL_EVENTS[event];
    if (!status) return;
    // activation_failed follows activation_timeout for the same activation: keep the more precise status.
    if (!(status === 'failed' && record.status === 'timeout'))
      record.status = str(fields.status) === 'skipped' ? 'skipped' : status;
    this.finish(record, fields);
  }

  /** The executor started a run for `agent` with this prompt (refines the trigger). */
  onPrompt(agent: string, prompt: string): void {
    const record = this.running.get(agent);
    if (!record) return;
    record.trigger = triggerOf(prompt) ?? record.trigger;
    this.changed();
  }

  onIteration(agent: string): void {
    const record = this.running.get(agent);
    if (!record) return;
    record.iterations++;
    this.changed();
  }

  onToolCall(agent: string, name: string): void {
    const record = this.running.get(agent);
    if (!record) return;
    record.toolCalls.push(name);
    this.changed();
  }

  /**
   * One LLM call's usage, as it happens: a failed activation (whose final log event carries no tokens) still shows
   * what it spent. The final event of a completed activation replaces the running sum with the runner's totals.
   */
  onUsage(agent: string, usage: { tokensIn: number; tokensOut: number; model: string }): void {
    const record = this.running.get(agent);
    if (!record) return;
    record.tokensIn += usage.tokensIn;
    record.tokensOut += usage.tokensOut;
    record.model = usage.model || record.model;
    this.changed();
  }

  /** Most recent first. */
  list(): ActivityRecord[] {
    return this.records.map((r) => ({
      ...r,
      toolCalls: [...r.toolCalls],
      outcomes: r.outcomes.map((o) => ({ ...o })),
    }));
  }

  /** The rows of the web page's activity panel. */
  panelItems(): WebPanelItem[] {
    return this.records.map(toPanelItem);
  }

  private start(id: string, fields: LogFields): void {
    const agent = str(fields.agent_id) ?? '?';
    const inbox = num(fields.inbox_count);
    const record: ActivityRecord = {
      id,
      agent,
      runner: str(fields.runner_id),
      trigger:
        fields.task_type === 'DISCOVERY' ? 'discovery' : `inbox (${inbox} notification${inbox === 1 ? '' : 's'})`,
      status: 'running',
      iterations: 0,
      toolCalls: [],
      tokensIn: 0,
      tokensOut: 0,
      model: undefined,
      durationS: undefined,
      error: undefined,
      reason: undefined,
      outcomes: this.pending.get(id) ?? [],
      startedAt: new Date(this.clock.now()).toISOString(),
    };
    this.pending.delete(id);
    this.records.unshift(record);
    this.records.splice(this.max);
    this.running.set(agent, record);
    this.changed();
  }

  private outcome(id: string, record: ActivityRecord | undefined, fields: LogFields): void {
    const notificationId = str(fields.notification_id);
    const outcome = str(fields.outcome);
    if (!notificationId || !outcome) return;
    const entry: ActivityOutcome = {
      notificationId,
      outcome,
      from: str(fields.from_agent),
      reason: str(fields.reason),
    };
    if (record) {
      record.outcomes.push(entry);
      return this.changed();
    }
    // Not started yet (or already evicted): keep it for a record that may still come, within bounds.
    const list = this.pending.get(id) ?? [];
    list.push(entry);
    this.pending.set(id, list);
    for (const oldest of this.pending.keys()) {
      if (this.pending.size <= this.max) break;
      this.pending.delete(oldest);
    }
  }

  private finish(record: ActivityRecord, fields: LogFields): void {
    if (fields.iterations !== undefined) record.iterations = num(fields.iterations);
    if (Array.isArray(fields.tool_calls)) record.toolCalls = fields.tool_calls.map(String);
    record.tokensIn = num(fields.tokens_in) || record.tokensIn;
    record.tokensOut = num(fields.tokens_out) || record.tokensOut;
    record.model = str(fields.model) ?? record.model;
    record.durationS = num(fields.activation_duration);
    const error = str(fields.error);
    record.error = error === undefined ? record.error : (this.options.redact?.(error) ?? error);
    if (this.running.get(record.agent) === record) this.running.delete(record.agent);
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.();
  }
}

/** `@human mentioned: "…"` from an inbox prompt, `discovery` from a discovery prompt. */
function triggerOf(prompt: string): string | undefined {
  const lines = prompt.split('\n');
  const head = /(@[a-z0-9-]+) (mentioned you|replied to you):/i.exec(lines[0] ?? '');
  if (head) {
    const notification = parseHubItems(prompt).find((b) => b.attrs.kind === 'notification');
    const text = notification?.text.split('\n').find((l) => l.trim() !== '') ?? '';
    const short = text.length > 80 ? `${text.slice(0, 79)}…` : text;
    return `${head[1]} ${head[2] === 'mentioned you' ? 'mentioned' : 'replied'}: "${short}"`;
  }
  return /looking for posts where you can contribute/.test(lines[0] ?? '') ? 'discovery (recent posts)' : undefined;
}

function toPanelItem(r: ActivityRecord): WebPanelItem {
  const counters = [
    `${r.iterations} iteration${r.iterations === 1 ? '' : 's'}`,
    `tools: ${r.toolCalls.length > 0 ? r.toolCalls.join(', ') : 'none'}`,
    // An activation that called no LLM (loop guard, opted out, budget) has no tokens to show.
    ...(r.tokensIn > 0 || r.tokensOut > 0 ? [`tokens ${r.tokensIn} in / ${r.tokensOut} out`] : []),
    r.durationS !== undefined ? `${r.durationS.toFixed(2)} s` : 'running…',
    ...(r.model ? [r.model] : []),
  ].join(' · ');
  return {
    id: r.id,
    title: `@${r.agent}`,
    status: r.status,
    detail: r.trigger,
    time: r.startedAt,
    href: `#/activation/${encodeURIComponent(r.id)}`,
    lines: [
      counters,
      ...r.outcomes.map(outcomeLine),
      ...(r.reason ? [`skipped: ${r.reason}`] : []),
      ...(r.error ? [`error: ${r.error}`] : []),
    ],
  };
}

/** `replied (from @human)`, `loop_guard (from @researcher: max_agent_replies_per_thread)`. */
function outcomeLine(o: ActivityOutcome): string {
  const why = [o.from ? `from @${o.from}` : undefined, o.reason].filter((p) => p !== undefined).join(': ');
  return why ? `${o.outcome} (${why})` : o.outcome;
}
