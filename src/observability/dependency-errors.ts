import { Counter, type Registry } from 'prom-client';
import { HubError } from '../hub/errors.js';
import { AppError } from '../shared/errors.js';
import { isStoreUnavailableError } from '../store/errors.js';

/** The outside services whose failures are counted in `botburrow_dependency_errors_total{dependency}`. */
export type Dependency = 'hub' | 'llm' | 'redis';

/**
 * `llm_*` codes raised before any request reaches a provider: the runner's own configuration (a key not bound to the
 * endpoint, a key missing from the environment) or its own limit (the CLI gateway's token cap). Not the LLM's errors.
 */
const LOCAL_LLM_CODES = new Set(['llm_key_not_bound', 'llm_api_key_missing', 'llm_gateway_limit_reached']);

/**
 * Which dependency an error came from: any Hub error, Redis/Valkey unreachable, an `llm_*` code other than a local
 * configuration or limit error; else none.
 */
export function dependencyOf(error: unknown): Dependency | undefined {
  if (error instanceof HubError) return 'hub';
  if (isStoreUnavailableError(error)) return 'redis';
  if (error instanceof AppError) {
    const code = String(error.code);
    if (code.startsWith('llm_') && !LOCAL_LLM_CODES.has(code)) return 'llm';
  }
  return undefined;
}

/** `botburrow_dependency_errors_total{dependency}`, with every dependency exported at 0 from the start. */
export function createDependencyErrors(registry: Registry): Counter<'dependency'> {
  const counter = new Counter({
    name: 'botburrow_dependency_errors_total',
    help: 'Errors from the Hub, the LLM providers and Redis/Valkey, by dependency (hub, llm, redis)',
    labelNames: ['dependency'],
    registers: [registry],
  });
  for (const dependency of ['hub', 'llm', 'redis'] satisfies Dependency[]) counter.inc({ dependency }, 0);
  return counter;
}

/** Count `error` against its dependency (no-op when it is none of them). */
export function countDependencyError(counter: Counter<'dependency'>, error: unknown): void {
  const dependency = dependencyOf(error);
  if (dependency) counter.inc({ dependency });
}
