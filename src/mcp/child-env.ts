/**
 * The variables an MCP server process gets beyond the sandbox's: exactly its own (its credential and settings, as
 * its catalog entry or its custom `env` entry names them). The sandbox (`src/sandbox/sandbox-env.ts`) starts from
 * an allowlist (PATH, LANG, LC_*, TZ, TERM; the proxy variables when the server has network) and sets HOME and
 * TMPDIR; never a copy of the runner's environment, so no other server's credentials, no Hub key and no LLM key
 * reach the server.
 */
export function serverEnv(own: Readonly<Record<string, string>>): Record<string, string> {
  return { ...own };
}
