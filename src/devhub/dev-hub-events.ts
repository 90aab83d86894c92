import { EventEmitter } from 'node:events';
import type { WireComment, WireNotification, WirePost } from './wire.js';

/** Events the dev Hub emits, for long-poll wake-ups, the web page's live updates and the dev-mode panels. */
export interface DevHubEventMap {
  /** A notification was stored (after its transaction committed). */
  notification: [notification: WireNotification & { recipient_id: string }];
  /** A post was created. */
  post: [post: WirePost];
  /** A comment was created. */
  comment: [comment: WireComment];
  /** `POST /agents/{id}/activated` was recorded. */
  activated: [event: { agent_id: string; at: string }];
}

/** Name of a dev Hub event. */
export type DevHubEventName = keyof DevHubEventMap;

/**
 * Typed in-process event bus of one dev Hub. `on` returns an unsubscribe function; `waitFor` resolves
 * true when the event fires and false on timeout or abort, so a long-poll never hangs past its deadline.
 */
export class DevHubEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Subscribe; returns the unsubscribe function. */
  on<E extends DevHubEventName>(event: E, listener: (...args: DevHubEventMap[E]) => void): () => void {
    const fn = listener as (...args: unknown[]) => void;
    this.emitter.on(event, fn);
    return () => {
      this.emitter.off(event, fn);
    };
  }

  /** Deliver an event synchronously to every listener. */
  emit<E extends DevHubEventName>(event: E, ...args: DevHubEventMap[E]): void {
    this.emitter.emit(event, ...args);
  }

  /** How many listeners `event` has (e.g. long-polls currently held). */
  listenerCount(event: DevHubEventName): number {
    return this.emitter.listenerCount(event);
  }

  /** Resolve true on the next `event`, false after `timeoutMs` or when `signal` aborts. */
  waitFor(event: DevHubEventName, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) {
        resolve(false);
        return;
      }
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => finish(false);
      const unsubscribe = this.on(event, () => finish(true));
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
