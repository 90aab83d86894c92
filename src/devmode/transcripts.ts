import { costUsd } from '../activation/pricing.js';
import type { ExecutorStep } from '../executors/executor.js';
import type { LogFields } from '../observability/logger.js';
import { systemClock, type Clock } from '../shared/clock.js';

/** The bounds of a {@link TranscriptStore}. */
export interface TranscriptLimits {
  max: number;
  maxChars: number;
  toolResultChars: number;
  textChars: number;
  /** Steps one transcript keeps; later ones are counted in `stepsDropped`. */
  maxSteps: number;
}

/** Defaults of {@link TranscriptStore}. */
export const TRANSCRIPT_DEFAULTS: Readonly<TranscriptLimits> = Object.freeze({
  /** Transcripts kept (`DEV_TRANSCRIPTS`): the oldest is dropped first. */
  max: 200,
  /** Characters of text one transcript keeps at most (`DEV_TRANSCRIPT_MAX_CHARS`). */
  maxChars: 200_000,
  /** Characters kept of one tool result; the rest is cut with a size note. */
  toolResultChars: 4_000,
  /** Characters kept of one prompt, model text or reply. */
  textChars: 20_000,
  maxSteps: 1_000,
});

/** A text as stored: possibly cut, with the size it had. */
export interface StoredText {
  text: string;
  /** Characters of the original text. */
  size: number;
  /** True when `text` is only the start of it. */
  truncated: boolean;
}

/** One step of a transcript, in the order it happened. */
export type TranscriptStep =
  /** What the executor was asked: the notification or discovery prompt (the Hub thread in `<hub_item>` blocks). */
  | { kind: 'trigger'; at: string; prompt: StoredText; postId: string | undefined; commentId: string | undefined }
  | { kind: 'system_prompt'; prompt: StoredText }
  | {
      kind: 'model_turn';
      iteration: number;
      text: StoredText;
      toolCalls: { id: string; name: string; arguments: StoredText }[];
      stopReason: string;
      tokensIn: number;
      tokensOut: number;
      model: string;
      costUsd: number;
      durationMs: number;
    }
  | { kind: 'tool_result'; callId: string; name: string; ok: boolean; durationMs: number; content: StoredText }
  | { kind: 'reply'; text: StoredText; tokensIn: number; tokensOut: number; model: string; durationMs: number }
  | { kind: 'failure'; error: StoredText; durationMs: number };

/** Where a transcript stands: running, or how its activation ended (the runner's final event). */
export type TranscriptStatus = 'running' | 'completed' | 'skipped' | 'failed' | 'timeout' | 'stopped' | 'released';

/** One activation as the dev mode recorded it (`GET /dev/api/activations/:id`). Every text is redacted. */
export interface Transcript {
  /** The activation id (as in the logs and the Activity panel). */
  id: string;
  agent: string;
  taskType: string | undefined;
  status: TranscriptStatus;
  startedAt: string;
  finishedAt: string | undefined;
  /** Seconds, once finished (the runner's `activation_duration`). */
  durationS: number | undefined;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Why the activation failed (redacted), when it did. */
  error: string | undefined;
  steps: TranscriptStep[];
  /** Characters of text held (bounded by `maxChars`). */
  chars: number;
  /** True once the transcript reached `maxChars`: later texts are kept empty (their figures are kept). */
  capped: boolean;
  /** Steps not kept at all because the transcript already held `maxSteps`. */
  stepsDropped: number;
}

/** A transcript in the list (`GET /dev/api/activations`): no steps. */
export type TranscriptSummary = Omit<Transcript, 'steps'> & { stepCount: number };

const FINAL: Readonly<Record<string, TranscriptStatus>> = {
  activation_completed: 'completed',
  activation_failed: 'failed',
  activation_timeout: 'timeout',
  activation_stopped: 'stopped',
  activation_released: 'released',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * The last N activation transcripts of the dev mode, in memory: created on the runner's `activation_started`, filled
 * by the observed executor's steps (keyed by agent: the store never runs two activations of one agent at once),
 * closed by the runner's final event. Every text goes through `redact` before it is cut and kept. Bounded: `max`
 * transcripts, `maxChars` characters of text each (later steps keep their figures, not their text).
 */
export class TranscriptStore {
  private readonly byId = new Map<string, Transcript>();
  private readonly running = new Map<string, Transcript>();
  private readonly limits: TranscriptLimits;
  private readonly clock: Clock;
  private readonly redact: (text: string) => string;

  constructor(options: Partial<TranscriptLimits> & { clock?: Clock; redact?: (text: string) => string } = {}) {
    const { clock, redact, ...limits } = options;
    this.limits = { ...TRANSCRIPT_DEFAULTS, ...limits };
    this.clock = clock ?? systemClock;
    this.redact = redact ?? ((t) => t);
  }

  /** A runner log event (with child bindings merged): `activation_started` and the final events. */
  onLog(event: string, fields: LogFields): void {
    const id = str(fields.activation_id);
    if (!id) return;
    if (event === 'activation_started') return this.start(id, str(fields.agent_id) ?? '?', str(fields.task_type));
    const t = this.byId.get(id);
    const status = FINAL[event];
    if (!t || !status) return;
    // activation_failed follows activation_timeout for the same activation: keep the more precise status.
    if (!(status === 'failed' && t.status === 'timeout'))
      t.status = str(fields.status) === 'skipped' ? 'skipped' : status;
    t.finishedAt = this.now();
    t.durationS = num(fields.activation_duration);
    const error = str(fields.error);
    if (error !== undefined) t.error = this.cut(error, this.limits.textChars, t).text;
    if (this.running.get(t.agent) === t) this.running.delete(t.agent);
  }

  /** The id of `agent`'s running activation, if one is recorded. */
  runningId(agent: string): string | undefined {
    return this.running.get(agent)?.id;
  }

  /** The executor was started on `prompt` for `agent` (one activation may run it once per notification). */
  onRun(agent: string, prompt: string, target: { postId?: string; commentId?: string }): void {
    const t = this.running.get(agent);
    if (!t) return;
    this.add(t, {
      kind: 'trigger',
      at: this.now(),
      prompt: this.cut(prompt, this.limits.textChars, t),
      postId: target.postId,
      commentId: target.commentId,
    });
  }

  /** A step the executor reported (`ExecutorInput.onStep`). */
  onStep(agent: string, step: ExecutorStep): void {
    const t = this.running.get(agent);
    if (t) this.add(t, this.stored(t, step));
  }

  private stored(t: Transcript, step: ExecutorStep): TranscriptStep {
    switch (step.kind) {
      case 'system_prompt':
        return { kind: 'system_prompt', prompt: this.cut(step.text, this.limits.textChars, t) };
      case 'model_turn': {
        const cost = costUsd(step.model, step.tokensIn, step.tokensOut);
        t.tokensIn += step.tokensIn;
        t.tokensOut += step.tokensOut;
        t.costUsd += cost;
        return {
          kind: 'model_turn',
          iteration: step.iteration,
          text: this.cut(step.text, this.limits.textChars, t),
          toolCalls: step.toolCalls.map((c) => ({
            id: c.id,
            name: c.name,
            arguments: this.cut(c.args, this.limits.toolResultChars, t),
          })),
          stopReason: step.stopReason,
          tokensIn: step.tokensIn,
          tokensOut: step.tokensOut,
          model: step.model,
          costUsd: cost,
          durationMs: step.durationMs,
        };
      }
      case 'tool_result':
        return {
          kind: 'tool_result',
          callId: step.callId,
          name: step.name,
          ok: step.ok,
          durationMs: step.durationMs,
          content: this.cut(step.content, this.limits.toolResultChars, t),
        };
    }
  }

  /**
   * The run answered. Executors that report no model turns (the CLIs) have their tokens counted here, so the
   * transcript's totals hold for every executor.
   */
  onReply(
    agent: string,
    result: { reply: string; tokensIn: number; tokensOut: number; model: string },
    durationMs: number,
  ): void {
    const t = this.running.get(agent);
    if (!t) return;
    const turns = this.turnsSinceTrigger(t);
    if (turns === 0) {
      t.tokensIn += result.tokensIn;
      t.tokensOut += result.tokensOut;
      t.costUsd += costUsd(result.model, result.tokensIn, result.tokensOut);
    }
    this.add(t, {
      kind: 'reply',
      text: this.cut(result.reply, this.limits.textChars, t),
      tokensIn: result.tokensIn,
      tokensOut: result.tokensOut,
      model: result.model,
      durationMs,
    });
  }

  /** The run failed (or was aborted) with this error. */
  onFailure(agent: string, error: string, durationMs: number): void {
    const t = this.running.get(agent);
    if (!t) return;
    this.add(t, { kind: 'failure', error: this.cut(error, this.limits.textChars, t), durationMs });
  }

  /** One transcript (a copy), or undefined when unknown or already dropped. */
  get(id: string): Transcript | undefined {
    const t = this.byId.get(id);
    return t ? structuredClone(t) : undefined;
  }

  /** Most recent first, without steps. */
  list(): TranscriptSummary[] {
    return [...this.byId.values()].reverse().map(({ steps, ...rest }) => ({ ...rest, stepCount: steps.length }));
  }

  private start(id: string, agent: string, taskType: string | undefined): void {
    const t: Transcript = {
      id,
      agent,
      taskType,
      status: 'running',
      startedAt: this.now(),
      finishedAt: undefined,
      durationS: undefined,
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0,
      error: undefined,
      steps: [],
      chars: 0,
      capped: false,
      stepsDropped: 0,
    };
    this.byId.delete(id);
    this.byId.set(id, t);
    for (const oldest of this.byId.keys()) {
      if (this.byId.size <= this.limits.max) break;
      const dropped = this.byId.get(oldest);
      this.byId.delete(oldest);
      if (dropped && this.running.get(dropped.agent) === dropped) this.running.delete(dropped.agent);
    }
    this.running.set(agent, t);
  }

  private add(t: Transcript, step: TranscriptStep): void {
    if (t.steps.length < this.limits.maxSteps) t.steps.push(step);
    else t.stepsDropped++;
  }

  private turnsSinceTrigger(t: Transcript): number {
    let turns = 0;
    for (let i = t.steps.length - 1; i >= 0; i--) {
      const step = t.steps[i]!;
      if (step.kind === 'trigger') break;
      if (step.kind === 'model_turn') turns++;
    }
    return turns;
  }

  /** Redact, then keep at most `limit` characters, within what is left of the transcript's `maxChars`. */
  private cut(raw: string, limit: number, t: Transcript): StoredText {
    const text = this.redact(raw);
    const room = Math.max(0, this.limits.maxChars - t.chars);
    const keep = Math.min(limit, room);
    if (room < Math.min(limit, text.length)) t.capped = true;
    const kept = text.length > keep ? text.slice(0, keep) : text;
    t.chars += kept.length;
    return { text: kept, size: text.length, truncated: kept.length < text.length };
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
