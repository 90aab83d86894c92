/**
 * Environment variables that hold the runtime's own credentials: the Hub keys, the credentials of the built-in MCP
 * servers and the coordination store. An agent definition must never be able to route one of them to its LLM
 * provider, its CLI or a custom MCP server (that would hand, say, the Hub service key to any agent author).
 */
const RUNTIME_CREDENTIALS = new Set([
  'HUB_API_KEY',
  'HUB_ADMIN_KEY',
  'GITHUB_PAT',
  'GITHUB_TOKEN',
  'BRAVE_API_KEY',
  'VALKEY_URL',
  'REDIS_URL',
  // k8s: the Valkey password, set in the runner pods only to build VALKEY_URL (k8s/apexalgo-iad).
  'VALKEY_PASSWORD',
  'AGENT_PERMISSIONS_PATH',
]);

/** LLM provider keys the runner holds for its agents by default (GEMINI_API_KEY: gemini-cli agents). */
export const LLM_KEY_VARS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY'] as const;

/** True for a variable that holds a runtime credential (including `POSTGRES_<DB>_URL`). */
export function isRuntimeCredential(name: string): boolean {
  return RUNTIME_CREDENTIALS.has(name) || /^POSTGRES_[A-Z0-9_]+_URL$/.test(name);
}
