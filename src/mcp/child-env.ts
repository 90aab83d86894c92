/** Variables copied from the runner's environment into every MCP server process (nothing else is). */
export const CHILD_ENV_ALLOWLIST = ['PATH', 'LANG'] as const;

/**
 * The whole environment of an MCP server process: PATH and LANG from the runner, HOME set to the activation's
 * workspace, plus that server's own variables (credentials included). Never a copy of the runner's environment,
 * so no other server's credentials, no Hub key and no LLM key reach the child.
 */
export function buildChildEnv(
  runnerEnv: NodeJS.ProcessEnv,
  workspace: string,
  own: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of CHILD_ENV_ALLOWLIST) {
    const value = runnerEnv[name];
    if (value) env[name] = value;
  }
  env.HOME = workspace;
  return { ...env, ...own };
}
