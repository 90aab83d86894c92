import type { Executor, ExecutorAvailability, ExecutorInput, ExecutorResult } from '../executors/executor.js';
import { ExecutorRegistry } from '../executors/executor-registry.js';
import { errorMessage } from '../shared/errors.js';
import type { ActivityFeed } from './activity-feed.js';
import { parseHubItems } from './offline-answer.js';
import type { NotificationTarget, SystemLines } from './system-lines.js';
import type { TranscriptStore } from './transcripts.js';

/** What the dev mode observes executor runs with. */
export interface RunObservers {
  feed: ActivityFeed;
  transcripts?: TranscriptStore;
  systemLines?: SystemLines;
  /** Monotonic clock for run durations. @default performance.now */
  now?: () => number;
}

/** Longest error text a system line quotes. */
const LINE_ERROR_CHARS = 500;

/** The post and comment an inbox prompt answers (its `notification` block), if it is one. */
export function promptTarget(prompt: string): NotificationTarget {
  const block = parseHubItems(prompt).find((b) => b.attrs.kind === 'notification');
  return { postId: block?.attrs.post_id ?? null, commentId: block?.attrs.comment_id ?? null };
}

/**
 * An executor that reports its prompt, iterations, tool calls and usage to the activity feed as they happen, each
 * step to the transcript store, and a failed run as a system line under the post that triggered it.
 */
class ObservedExecutor implements Executor {
  readonly probeModel: Executor['probeModel'];

  constructor(
    private readonly inner: Executor,
    private readonly o: RunObservers,
  ) {
    this.probeModel = inner.probeModel?.bind(inner);
  }

  isAvailable(): Promise<ExecutorAvailability> {
    return this.inner.isAvailable();
  }

  async run(input: ExecutorInput, signal: AbortSignal): Promise<ExecutorResult> {
    const { feed, transcripts, systemLines } = this.o;
    const now = this.o.now ?? (() => performance.now());
    const agent = input.definition.name;
    const target = promptTarget(input.prompt);
    feed.onPrompt(agent, input.prompt);
    transcripts?.onRun(agent, input.prompt, {
      ...(target.postId ? { postId: target.postId } : {}),
      ...(target.commentId ? { commentId: target.commentId } : {}),
    });
    const started = now();
    const elapsed = (): number => Math.max(0, Math.round(now() - started));
    try {
      const result = await this.inner.run(
        {
          ...input,
          onIteration: (n) => {
            input.onIteration?.(n);
            feed.onIteration(agent);
          },
          onToolCall: (call) => {
            input.onToolCall?.(call);
            feed.onToolCall(agent, call.name);
          },
          onUsage: (usage) => {
            input.onUsage?.(usage);
            feed.onUsage(agent, usage);
          },
          onStep: (step) => {
            input.onStep?.(step);
            transcripts?.onStep(agent, step);
          },
        },
        signal,
      );
      transcripts?.onReply(agent, result, elapsed());
      return result;
    } catch (error) {
      const message = errorMessage(error);
      transcripts?.onFailure(agent, message, elapsed());
      const short = message.length > LINE_ERROR_CHARS ? `${message.slice(0, LINE_ERROR_CHARS - 1)}…` : message;
      systemLines?.onRunFailed(agent, transcripts?.runningId(agent), target, short);
      throw error;
    }
  }
}

/**
 * The runners' executor registry in dev mode: the normal one (`createExecutorRegistry`), with every executor it
 * resolves wrapped so the activity panel, the transcripts and the system lines see each run.
 */
export class ObservedExecutorRegistry extends ExecutorRegistry {
  constructor(
    private readonly inner: ExecutorRegistry,
    private readonly observers: RunObservers,
  ) {
    super();
  }

  override register(...args: Parameters<ExecutorRegistry['register']>): this {
    this.inner.register(...args);
    return this;
  }

  override types(): ReturnType<ExecutorRegistry['types']> {
    return this.inner.types();
  }

  override async resolve(type: string): Promise<Executor> {
    return new ObservedExecutor(await this.inner.resolve(type), this.observers);
  }
}
