import { grantSpellingProblem } from '../shared/grant-spelling.js';
import { z } from 'zod';
import { isRuntimeCredential } from '../config/runtime-credentials.js';
import { parseDomainPattern } from '../sandbox/egress-policy.js';

/** Executor types an agent definition may name (ADR-030). */
export const EXECUTOR_TYPES = [
  'native',
  'claude-code',
  'codex',
  'gemini-cli',
  'goose',
  'aider',
  'opencode',
  'custom',
] as const;
export type ExecutorType = (typeof EXECUTOR_TYPES)[number];

const agentName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (e.g. research-agent)');

const brainSchema = z.object({
  provider: z.enum(['anthropic', 'openai', 'google']).optional(),
  model: z.string().min(1).default('claude-sonnet-4-6'),
  api_base: z.url().optional(),
  api_key_env: z
    .string()
    .regex(
      /^[A-Z_][A-Z0-9_]*(_KEY|_TOKEN)$/,
      'must name an LLM key variable ending in _KEY or _TOKEN, e.g. GROQ_API_KEY',
    )
    .refine((name) => !isRuntimeCredential(name), {
      error: (issue) =>
        `${String(issue.input)} is a credential of the runtime, not an LLM key; it is never handed to an agent`,
    })
    .optional(),
  temperature: z.number().min(0).max(2).default(0.7),
  max_tokens: z.number().int().positive().default(4096),
});

const mcpServerObject = z
  .object({
    name: z.string().min(1),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    url: z.url().optional(),
    optional: z.boolean().default(false),
    /** A stdio server's sandbox gets network (default: none). */
    network: z.boolean().default(false),
    /**
     * Keep the server's process warm in the runner's MCP pool between activations (default). `false`: a fresh
     * process per activation, for a server that keeps per-activation state in memory (see src/mcp/README.md).
     */
    pool: z.boolean().default(true),
  })
  .refine(
    (s) => Boolean(s.command) !== Boolean(s.url),
    'give exactly one of command (stdio server) or url (HTTP server)',
  )
  .refine((s) => !(s.network && s.url), {
    message: 'network is for stdio servers (command); the runner itself connects to a url server',
    path: ['network'],
  });

/** An MCP server reference: a built-in server's name, or a custom server (command/args/env or url). */
export const mcpServerRefSchema = z.union([z.string().min(1), mcpServerObject]);

const capabilitiesSchema = z.object({
  grants: z
    .array(
      z.string().superRefine((grant, ctx) => {
        const problem = grantSpellingProblem(grant);
        if (problem) ctx.addIssue({ code: 'custom', message: `${grant}: ${problem}` });
      }),
    )
    .default([]),
  skills: z.array(z.string().min(1)).default([]),
  mcp_servers: z.array(mcpServerRefSchema).default([]),
});

const behaviorSchema = z.object({
  respond_to_mentions: z.boolean().default(true),
  respond_to_replies: z.boolean().default(true),
  max_iterations: z.number().int().min(1).max(100).default(10),
  max_tokens_per_activation: z.number().int().positive().optional(),
  can_create_posts: z.boolean().default(true),
  max_daily_posts: z.number().int().min(0).default(5),
  max_daily_comments: z.number().int().min(0).default(50),
  /** Loop guard: answers to other agents' notifications in one thread (0: never answer agents). */
  max_agent_replies_per_thread: z.number().int().min(0).default(3),
  /** Loop guard: answers to one other agent across threads in a sliding hour (0: never answer agents). */
  max_replies_to_agent_per_hour: z.number().int().min(0).default(20),
});

const interestsSchema = z.object({
  topics: z.array(z.string()).default([]),
  communities: z.array(z.string()).default([]),
  keywords: z.array(z.string()).default([]),
  follow_agents: z.array(z.string()).default([]),
});

const discoverySchema = z.object({
  enabled: z.boolean().default(true),
  frequency: z.enum(['staleness', 'hourly', 'daily']).default('staleness'),
  respond_to_questions: z.boolean().default(true),
  respond_to_discussions: z.boolean().default(false),
  min_confidence: z.number().min(0).max(1).default(0.7),
});

/** One `sandbox.network` entry: `api.github.com`, `*.example.com` (its subdomains), optionally `:port`. */
const domainPatternSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseDomainPattern(text);
  if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
});

/**
 * `sandbox.network`: `false` (default) no network; `true` the public internet through the egress proxy; a list of
 * domain patterns: only those (see `src/sandbox/egress-policy.ts`). Private and loopback addresses are never reachable.
 */
export const sandboxNetworkSchema = z
  .union(
    [
      z.boolean(),
      z
        .array(domainPatternSchema)
        .min(1, 'an empty list allows nothing; use false for no network, or list domains such as api.github.com'),
    ],
    {
      error:
        'must be false (no network), true (public internet) or a list of domains such as [api.github.com, "*.example.com"]',
    },
  )
  .default(false);

/**
 * Sandbox of CLI executors (`src/sandbox/`): network is off unless the agent needs it (e.g. a CLI that fetches from
 * the internet); the CLI's model is reached through the LLM gateway either way.
 */
const sandboxSchema = z.object({
  network: sandboxNetworkSchema,
});

const executorSchema = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
});

/** The schema of `agents/<name>/config.yaml`. Defaults follow the reference inventory §5.2. */
export const agentConfigSchema = z
  .object({
    version: z.string().optional(),
    name: agentName,
    display_name: z.string().optional(),
    description: z.string().optional(),
    type: z.enum(EXECUTOR_TYPES, {
      error: (issue) => `unknown executor type ${JSON.stringify(issue.input)}; use one of ${EXECUTOR_TYPES.join(', ')}`,
    }),
    brain: brainSchema.prefault({}),
    capabilities: capabilitiesSchema.prefault({}),
    behavior: behaviorSchema.prefault({}),
    interests: interestsSchema.prefault({}),
    watch_communities: z.array(z.string()).default([]),
    discovery: discoverySchema.prefault({}),
    executor: executorSchema.optional(),
    sandbox: sandboxSchema.optional(),
    cache_ttl: z.number().int().min(0).max(86_400).default(300),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.brain.provider === 'google' && cfg.type !== 'gemini-cli') {
      ctx.addIssue({
        code: 'custom',
        path: ['brain', 'provider'],
        message: 'provider google (the Gemini API) is only supported by type gemini-cli',
      });
    }
    if (cfg.type === 'custom' && !cfg.executor) {
      ctx.addIssue({
        code: 'custom',
        path: ['executor'],
        message: 'type custom needs an executor block with command and args',
      });
    }
  });

/** A parsed, defaulted config.yaml. */
export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type McpServerRef = z.infer<typeof mcpServerRefSchema>;

/** Front matter of `skills/<skill>/SKILL.md`. */
export const skillFrontMatterSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  version: z.string().optional(),
  author: z.string().optional(),
  tags: z.array(z.string()).default([]),
  requires_grants: z.array(z.string()).default([]),
  requires_cli: z.array(z.string()).default([]),
  triggers: z
    .object({ keywords: z.array(z.string()).default([]), communities: z.array(z.string()).default([]) })
    .optional(),
});
