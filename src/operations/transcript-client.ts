import { errorMessage } from '../shared/errors.js';
import { OperationsError } from './errors.js';
import type { StoreTarget } from './store-target.js';

/** Where dev mode serves one activation's transcript (`?format=text`: the terminal rendering). */
export const DEV_ACTIVATIONS_PATH = '/dev/api/activations';

/**
 * One activation's transcript from a running dev mode: its JSON, or the text `renderTranscript` makes (the same
 * as the dev page's `#/activation/<id>` view). Transcripts live in the dev mode's memory only; a Redis/Valkey store
 * has none, so that target is refused with where to look instead.
 * @throws OperationsError `dev_only` / `not_found` / `store_unreachable`
 */
export async function fetchTranscript(target: StoreTarget, id: string, format: 'json' | 'text'): Promise<string> {
  if (target.kind === 'redis') {
    throw new OperationsError(
      'dev_only',
      'activation transcripts are kept by dev mode only (in its memory, the last DEV_TRANSCRIPTS activations); ' +
        'on a deployment follow one activation with tracing (OTEL_EXPORTER_OTLP_ENDPOINT, docs/operations.md ' +
        `"Tracing") or its log lines (activation_id=${id}); run this command from the folder where ` +
        '`botburrow-agents dev` runs, without --store or VALKEY_URL',
    );
  }
  const url = `${target.url}${DEV_ACTIVATIONS_PATH}/${encodeURIComponent(id)}${format === 'text' ? '?format=text' : ''}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new OperationsError(
      'store_unreachable',
      `the dev mode at ${target.url} (${target.infoFile}) does not answer: ${errorMessage(error)}; ` +
        'start `botburrow-agents dev` again',
    );
  }
  const body = await response.text();
  if (response.ok) return body;
  if (response.status === 404) {
    let detail: string | undefined;
    try {
      detail = (JSON.parse(body) as { detail?: string }).detail;
    } catch {
      // not dev mode's JSON error: the generic message below
    }
    throw new OperationsError('not_found', detail ?? `no transcript for activation ${id}`);
  }
  throw new OperationsError(
    'store_unreachable',
    `the dev mode at ${target.url} refused the request (HTTP ${response.status}): ${body.slice(0, 200)}`,
  );
}
