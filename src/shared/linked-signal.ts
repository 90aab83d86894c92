/**
 * A per-request abort signal that follows a long-lived `parent` (shutdown, activation) and times out after
 * `timeoutMs`, without leaving anything behind on the parent once disposed. `AbortSignal.any([parent, timeout])`
 * retains each composed signal on a long-lived parent on Node 20 (~53 B per request, +53 MB per million Hub
 * requests in the coordinator); here the parent only holds a listener for the request's lifetime.
 */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True once the timeout (not the parent) aborted it. */
  readonly timedOut: boolean;
  /** Remove the listener and the timer; call when the request is over. */
  dispose(): void;
}

/** Link a request signal to `parent` (optional) with a timeout. Always `dispose()` it. */
export function linkSignal(parent: AbortSignal | undefined, timeoutMs: number): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`The operation timed out after ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const unfollow = parent ? followSignals(controller, [parent]) : undefined;
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      unfollow?.();
    },
  };
}

/**
 * Abort `controller` when any of `parents` aborts (with that parent's reason; one already aborted counts first, in
 * order), until the returned function is called. The composition `AbortSignal.any` does, without its cost on a
 * long-lived parent: each composed signal stays registered (weakly) on every parent, and objects held that way
 * survive young-generation GCs, so an activation's signal and everything its listeners reach moved to the old
 * generation (~40 KB per activation in the runner, bench/README.md "Fifth pass").
 */
export function followSignals(controller: AbortController, parents: readonly AbortSignal[]): () => void {
  const aborted = parents.find((p) => p.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return () => undefined;
  }
  const listeners = parents.map((parent) => {
    const onAbort = (): void => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    return () => parent.removeEventListener('abort', onAbort);
  });
  return () => {
    for (const remove of listeners) remove();
  };
}
