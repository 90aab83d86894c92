import { silentLogger } from '../observability/logger.js';
import { createSandbox } from '../sandbox/create-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';

/** The bubblewrap sandbox tests start stdio MCP servers in (CI installs bwrap; `SANDBOX=bwrap` fails without it). */
export function testSandbox(env: NodeJS.ProcessEnv = process.env): Promise<Sandbox> {
  return createSandbox({ kind: 'bwrap', env, logger: silentLogger });
}
