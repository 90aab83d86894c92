import type { McpServerRef } from '../agents/definition-schema.js';
import { credentialsMissing, notGranted, stdioItem, type PlanContext, type PlanItem } from './catalog/catalog-entry.js';
import { SERVER_CATALOG } from './catalog/server-catalog.js';
import { McpError } from './errors.js';
import { commandAllowed } from './permission-policy.js';
import { isRuntimeCredential, LLM_KEY_VARS } from '../config/runtime-credentials.js';

type CustomRef = Exclude<McpServerRef, string>;

/** Lowercase letters, digits and single dashes (one spelling per env prefix: `my_tool` would also map to MY_TOOL_). */
const NAME = /^(?=.{1,32}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The env-var prefix a custom server may read from the runner: `my-tool` → `MY_TOOL_`. */
export function customEnvPrefix(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_`;
}

/**
 * Plan a custom server of `capabilities.mcp_servers` (the `mcpServers` shape of MCP clients: command/args/env or
 * url). It starts only with a grant of its own service (`<name>:<scope>`, e.g. `canary:use`). `env` values may
 * reference the runner's variables as `${VAR}`, but only variables named `<NAME>_...` (so a definition cannot pull
 * the Hub or LLM key into its server); a referenced variable that is unset skips the server
 * (`mcp_credentials_missing`). A stdio server's `command` must be listed in the policy's `allowed_mcp_commands`
 * when there is a policy file; it runs in the sandbox without network unless the entry says `network: true`.
 * @throws McpError `mcp_config_invalid` for a bad or reserved name or a forbidden reference
 * @throws McpError `mcp_command_not_allowed` for a command the permission policy does not list
 */
export function planCustomServer(ref: CustomRef, ctx: PlanContext): PlanItem {
  const { name } = ref;
  if (!NAME.test(name))
    throw new McpError(
      'mcp_config_invalid',
      `MCP server name '${name}' must be 1-32 lowercase letters, digits and single dashes (e.g. my-tool), one spelling per credential prefix`,
      {
        data: { agent_id: ctx.agent },
      },
    );
  if (SERVER_CATALOG.has(name))
    throw new McpError(
      'mcp_config_invalid',
      `MCP server name '${name}' is built in; give the custom server another name`,
    );
  const grant = ctx.grants.ofService(name).find((g) => ctx.grants.has(g));
  if (!grant) return notGranted(name, `${name}:<scope>`);
  if (ref.command && !commandAllowed(ctx.policy, ref.command)) throw commandNotAllowed(name, ref.command, ctx);
  const prefix = customEnvPrefix(name);
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, template] of Object.entries(ref.env)) {
    let missing: string | undefined;
    env[key] = template.replace(REFERENCE, (_m, v: string) => {
      if (!v.startsWith(prefix) || isRuntimeCredential(v) || (LLM_KEY_VARS as readonly string[]).includes(v))
        throw new McpError(
          'mcp_config_invalid',
          `MCP server '${name}' may only read runner variables named ${prefix}*; \${${v}} is refused`,
        );
      const value = ctx.env[v];
      if (!value) missing ??= v;
      else secrets.push(value);
      return value ?? '';
    });
    if (missing) return credentialsMissing(name, grant, missing);
  }
  if (ref.url) {
    return {
      kind: 'launch',
      server: {
        name,
        source: 'custom',
        launch: { kind: 'http', url: ref.url },
        optional: ref.optional,
        pool: false,
        toolGrant: () => undefined,
        secrets,
      },
    };
  }
  return stdioItem(
    { ...ctx, optional: ref.optional, pool: ref.pool },
    {
      name,
      source: 'custom',
      command: ref.command!,
      args: ref.args,
      env,
      secrets,
      network: ref.network ? 'internet' : 'none',
      toolGrant: () => undefined,
    },
  );
}

/** `mcp_command_not_allowed`: names the command, the policy key and file, and both ways to fix it. */
function commandNotAllowed(name: string, command: string, ctx: PlanContext): McpError {
  const source = ctx.policy?.source ?? 'AGENT_PERMISSIONS_PATH';
  return new McpError(
    'mcp_command_not_allowed',
    `MCP server '${name}' of agent ${ctx.agent}: command ${command} is not allowed: it is not listed in ` +
      `allowed_mcp_commands of the permission policy ${source}; an operator adds its exact absolute path there ` +
      `(ConfigMap agent-permissions), or the definition uses a command that is listed`,
    { data: { agent_id: ctx.agent, server: name, command } },
  );
}
