import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/**
 * Write a permission policy whose `llm_keys` bind the given key variables to endpoints (e.g. a fake LLM server's
 * loopback URL), and return its path for `AGENT_PERMISSIONS_PATH`. `extra` adds other policy sections.
 */
export function writeKeyPolicy(llmKeys: Record<string, string[]>, extra: Record<string, unknown> = {}): string {
  const path = join(mkdtempSync(join(tmpdir(), 'key-policy-')), 'permissions.yaml');
  writeFileSync(path, stringify({ ...extra, llm_keys: llmKeys }));
  return path;
}
