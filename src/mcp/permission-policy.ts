import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { llmKeysSchema } from '../executors/native/llm-key-binding.js';
import { grantSpellingProblem } from '../shared/grant-spelling.js';
import { McpError } from './errors.js';
import { grantMatches } from './grant-pattern.js';

/** A grant pattern in its one spelling (`grant-spelling.ts`), so no other spelling of a grant slips past it. */
const grantPattern = z.string().superRefine((pattern, ctx) => {
  const problem = grantSpellingProblem(pattern, { wildcards: true });
  if (problem) ctx.addIssue({ code: 'custom', message: `${pattern}: ${problem}` });
});

const rulesSchema = z.strictObject({
  /** Only grants matching one of these are kept; absent = every grant may be kept. */
  allowed_grants: z.array(grantPattern).optional(),
  /** Grants matching one of these are dropped. */
  denied_grants: z.array(grantPattern).optional(),
});

const absoluteCommand = z.string().refine((p) => isAbsolute(p) && normalize(p) === p && !p.endsWith('/'), {
  error: (issue) =>
    `must be an absolute, normalized path of an executable (e.g. /usr/bin/node), got ${JSON.stringify(issue.input)}`,
});

/** The `agent-permissions` ConfigMap (ADR-024), `permissions.yaml`. */
export const permissionPolicySchema = z.strictObject({
  default: rulesSchema.optional(),
  agents: z.record(z.string(), rulesSchema).default({}),
  /**
   * Commands custom stdio MCP servers may run, as exact absolute paths (a definition's `command` must equal one).
   * Absent or empty = no custom stdio server may start. Built-in servers and `url` servers are not affected.
   */
  allowed_mcp_commands: z.array(absoluteCommand).optional(),
  /**
   * LLM keys agents may name in `brain.api_key_env`, each with the endpoints (base URLs) it may be sent to; for
   * ANTHROPIC_API_KEY and OPENAI_API_KEY, endpoints added to their public ones (`llm-key-binding.ts`).
   */
  llm_keys: llmKeysSchema.optional(),
});

/** A parsed permission policy. */
export type PermissionPolicy = z.infer<typeof permissionPolicySchema> & { source: string };

/** Why a grant was refused by the policy. */
export interface PolicyVerdict {
  allowed: boolean;
  /** `denied_grants: github:*` or `not in allowed_grants`, for the `grant_denied` warning. */
  rule?: string;
}

/**
 * Decide one concrete grant for one agent. The agent's own section's `allowed_grants` replaces the default's when
 * given; `denied_grants` of both sections apply. A denial always wins over an allowance.
 */
export function policyVerdict(policy: PermissionPolicy | undefined, agent: string, grant: string): PolicyVerdict {
  if (!policy) return { allowed: true };
  const own = policy.agents[agent];
  const denied = [...(policy.default?.denied_grants ?? []), ...(own?.denied_grants ?? [])];
  const hit = denied.find((p) => grantMatches(p, grant));
  if (hit) return { allowed: false, rule: `denied_grants: ${hit}` };
  const allowed = own?.allowed_grants ?? policy.default?.allowed_grants;
  if (allowed && !allowed.some((p) => grantMatches(p, grant))) return { allowed: false, rule: 'not in allowed_grants' };
  return { allowed: true };
}

/**
 * Whether a custom stdio server may run `command`: always without a policy file (dev mode, `activate`: the sandbox is
 * the only guard), else only when the policy's `allowed_mcp_commands` holds exactly this string.
 */
export function commandAllowed(policy: PermissionPolicy | undefined, command: string): boolean {
  return !policy || (policy.allowed_mcp_commands ?? []).includes(command);
}

/** Policies already parsed, by path, with the fingerprint of the file they were parsed from. */
const parsedPolicies = new Map<string, { fingerprint: string; policy: PermissionPolicy }>();

/**
 * Read and validate the policy file. Every call stats it (following symlinks, so a ConfigMap update applies to the
 * next activation without a restart); it is read and parsed again only when its inode, size, mtime or ctime changed.
 * @throws McpError `mcp_policy_invalid` naming the file and every problem
 */
export async function loadPermissionPolicy(path: string): Promise<PermissionPolicy> {
  const s = await stat(path).catch(() => undefined);
  const fingerprint = s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : undefined;
  const cached = parsedPolicies.get(path);
  if (fingerprint && cached?.fingerprint === fingerprint) return cached.policy;
  const policy = await readPermissionPolicy(path);
  if (fingerprint) parsedPolicies.set(path, { fingerprint, policy });
  return policy;
}

async function readPermissionPolicy(path: string): Promise<PermissionPolicy> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(path, 'utf8')) ?? {};
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new McpError('mcp_policy_invalid', `permission policy ${path} cannot be read: ${reason}`, { cause: error });
  }
  const parsed = permissionPolicySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new McpError('mcp_policy_invalid', `permission policy ${path} is invalid: ${problems.join('; ')}`);
  }
  return { ...parsed.data, source: path };
}
