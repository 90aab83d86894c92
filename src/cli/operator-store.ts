import type { Command } from 'commander';
import type { OperatorRequest, OperatorResults, RequestOf } from '../operations/operator-requests.js';
import type { StoreTarget } from '../operations/store-target.js';

/** Options every operator command takes. */
export interface StoreOptions {
  store?: string;
  json?: boolean;
}

/** Add `--store <url>` to an operator command. */
export function withStoreOption(command: Command): Command {
  return command.option(
    '--store <url>',
    'Redis/Valkey URL to read (default: VALKEY_URL, else the dev mode running from this folder)',
  );
}

/**
 * Resolve the store (`--store`, VALKEY_URL, or a running dev mode), print which one as the first line (to stderr
 * with --json, so stdout stays one JSON document) and return it.
 */
export async function announceStore(opts: StoreOptions): Promise<StoreTarget> {
  const { describeStoreTarget, resolveStoreTarget } = await import('../operations/store-target.js');
  const target = await resolveStoreTarget({ store: opts.store, env: process.env });
  (opts.json ? console.error : console.log)(describeStoreTarget(target));
  return target;
}

/** Announce the store, then run one operator request against it (locally on Redis, server-side in dev mode). */
export async function operate<O extends OperatorRequest['op']>(
  opts: StoreOptions,
  request: RequestOf<O>,
): Promise<OperatorResults[O]> {
  const { loadSharedConfig } = await import('../config/schema.js');
  const { runOnTarget } = await import('../operations/operator-client.js');
  const config = loadSharedConfig();
  const target = await announceStore(opts);
  return runOnTarget(target, config, request);
}
