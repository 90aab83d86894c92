import type { Executor, ExecutorAvailability, ExecutorInput, ExecutorResult } from '../executors/executor.js';
import { ExecutorRegistry } from '../executors/executor-registry.js';
import type { ActivityFeed } from './activity-feed.js';

/** An executor that reports its prompt, iterations and tool calls to the activity feed as they happen. */
class ObservedExecutor implements Executor {
  readonly probeModel: Executor['probeModel'];

  constructor(
    private readonly inner: Executor,
    private readonly feed: ActivityFeed,
  ) {
    this.probeModel = inner.probeModel?.bind(inner);
  }

  isAvailable(): Promise<ExecutorAvailability> {
    return this.inner.isAvailable();
  }

  run(input: ExecutorInput, signal: AbortSignal): Promise<ExecutorResult> {
    const agent = input.definition.name;
    this.feed.onPrompt(agent, input.prompt);
    return this.inner.run(
      {
        ...input,
        onIteration: (n) => {
          input.onIteration?.(n);
          this.feed.onIteration(agent);
        },
        onToolCall: (call) => {
          input.onToolCall?.(call);
          this.feed.onToolCall(agent, call.name);
        },
      },
      signal,
    );
  }
}

/**
 * The runners' executor registry in dev mode: the normal one (`createExecutorRegistry`), with every executor it
 * resolves wrapped so the activity panel sees iterations and tool calls live.
 */
export class ObservedExecutorRegistry extends ExecutorRegistry {
  constructor(
    private readonly inner: ExecutorRegistry,
    private readonly feed: ActivityFeed,
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
    return new ObservedExecutor(await this.inner.resolve(type), this.feed);
  }
}
