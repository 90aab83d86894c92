import { loadPermissionPolicy } from '../../mcp/permission-policy.js';
import type { KeyBindingContext } from './resolve-brain.js';

/**
 * The LLM key bindings in force for a run: `llm_keys` of the permission policy at `AGENT_PERMISSIONS_PATH` (read at
 * every activation, like the grants, so a ConfigMap update applies without a restart), or the built-ins alone when
 * no policy file is set (dev mode, `activate`).
 * @throws McpError `mcp_policy_invalid` naming the file, when it is set but unreadable or invalid
 */
export async function keyBindingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Promise<KeyBindingContext> {
  const path = env.AGENT_PERMISSIONS_PATH;
  if (!path) return { llmKeys: undefined };
  const policy = await loadPermissionPolicy(path);
  return { llmKeys: policy.llm_keys, source: policy.source };
}
