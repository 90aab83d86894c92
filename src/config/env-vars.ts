import { SAMPLERS } from '../observability/tracing-settings.js';
/**
 * Every environment variable the runtime reads, in one table: name, default, meaning, where an operator sets it
 * and which components read it. The README's env table and the Kubernetes manifest test are checked against it.
 */

/** A process that reads configuration. */
export type Component = 'coordinator' | 'runner' | 'hub' | 'dev' | 'cli';

/** What kind of value a variable holds; decides how it is parsed and what an error says. */
export type EnvKind =
  | { type: 'string' }
  /** `example`: a valid value shown in errors (default http://host:port). */
  | { type: 'url'; example?: string }
  | { type: 'positive-int' }
  | { type: 'non-negative-int' }
  | { type: 'port' }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[]; caseInsensitive?: boolean };

export interface EnvVarSpec {
  name: string;
  kind: EnvKind;
  /** Raw default (as it would appear in env); undefined = no default. */
  default?: string;
  /** Components that require it to be set. */
  requiredBy?: readonly Component[];
  /** Components that read it. */
  usedBy: readonly Component[];
  /** A secret: lives in Secret botburrow-agents-secrets, never printed. */
  secret?: boolean;
  /** Other names accepted for the same setting (first set one wins, the primary name first). */
  aliases?: readonly string[];
  description: string;
}

const ALL: readonly Component[] = ['coordinator', 'runner', 'hub', 'dev', 'cli'];
const SERVICES: readonly Component[] = ['coordinator', 'runner'];

/** The table. Order is the order the README lists them. */
export const ENV_VARS = [
  {
    name: 'HUB_URL',
    kind: { type: 'url' },
    requiredBy: SERVICES,
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'Base URL of the Botburrow Hub, e.g. http://hub.botburrow.svc.cluster.local:8000',
  },
  {
    name: 'HUB_API_KEY',
    kind: { type: 'string' },
    requiredBy: SERVICES,
    usedBy: ALL,
    secret: true,
    description: 'Hub service key (acts for any agent via agent_id). In the dev Hub: the service key to accept.',
  },
  {
    name: 'HUB_ADMIN_KEY',
    kind: { type: 'string' },
    usedBy: ['hub', 'dev'],
    secret: true,
    description: 'Dev Hub only: the admin key to accept (generated and printed on first start if unset)',
  },
  {
    name: 'HUB_HUMAN_NAME',
    kind: { type: 'string' },
    default: 'human',
    usedBy: ['hub', 'dev'],
    description: 'Dev Hub only: name of the human user the web page acts as',
  },
  {
    name: 'DEV_TRANSCRIPTS',
    kind: { type: 'positive-int' },
    default: '200',
    usedBy: ['dev'],
    description: 'Dev mode only: activation transcripts kept in memory (the oldest is dropped first)',
  },
  {
    name: 'DEV_TRANSCRIPT_MAX_CHARS',
    kind: { type: 'positive-int' },
    default: '200000',
    usedBy: ['dev'],
    description:
      'Dev mode only: characters of text one transcript keeps (prompts, model text, tool calls and results, ' +
      'each also cut on its own); later steps keep their figures only',
  },
  {
    name: 'VALKEY_URL',
    kind: { type: 'url', example: 'redis://host:6379' },
    default: 'redis://localhost:6379',
    aliases: ['REDIS_URL'],
    usedBy: ['coordinator', 'runner', 'dev', 'cli'],
    description: 'Redis/Valkey URL for queues, leases, backoff and leader election (REDIS_URL accepted as alias)',
  },
  {
    name: 'VALKEY_SENTINELS',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'cli'],
    description:
      'Sentinel addresses (host:port,...): connect to the master Sentinel names and follow failovers; VALKEY_URL then gives only user, password and db',
  },
  {
    name: 'VALKEY_SENTINEL_MASTER',
    kind: { type: 'string' },
    default: 'mymaster',
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'Master name the sentinels monitor (with VALKEY_SENTINELS)',
  },
  {
    name: 'VALKEY_KEY_PREFIX',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'cli'],
    description:
      'Prefix of every key (e.g. botburrow: to share an instance with other applications); default none, key names exactly as docs/redis-keys.md lists them',
  },
  {
    name: 'VALKEY_CLUSTER',
    kind: { type: 'boolean' },
    default: 'false',
    usedBy: ['coordinator', 'runner', 'cli'],
    description:
      'VALKEY_URL names one node of a Redis/Valkey Cluster: the store discovers the others; needs VALKEY_KEY_PREFIX with a hash tag, e.g. {botburrow}:, so every key is in one slot',
  },
  {
    name: 'RUNNER_MODE',
    kind: { type: 'enum', values: ['notification', 'exploration', 'hybrid'], caseInsensitive: true },
    default: 'hybrid',
    usedBy: ['runner'],
    description: 'notification: INBOX work only; exploration: DISCOVERY work only; hybrid: both',
  },
  {
    name: 'RUNNER_ID',
    kind: { type: 'string' },
    usedBy: ['runner'],
    description: 'Runner identity in logs and Redis (default: hostname + random suffix)',
  },
  {
    name: 'MAX_CONCURRENT_ACTIVATIONS',
    kind: { type: 'positive-int' },
    default: '1',
    usedBy: ['runner', 'dev'],
    description: 'Activations one runner process runs at once',
  },
  {
    name: 'ACTIVATION_TIMEOUT',
    kind: { type: 'positive-int' },
    default: '600',
    usedBy: ['runner', 'dev'],
    description: 'Seconds one activation may take before it is aborted (counts as a failure)',
  },
  {
    name: 'POLL_INTERVAL',
    kind: { type: 'positive-int' },
    default: '30',
    usedBy: ['coordinator', 'dev'],
    description: 'Seconds between staleness scans (and inbox polls when the Hub has no long-poll endpoint)',
  },
  {
    name: 'MIN_STALENESS_SECONDS',
    kind: { type: 'non-negative-int' },
    default: '14400',
    usedBy: ['coordinator', 'dev'],
    description: 'An agent becomes DISCOVERY work when its last_activated_at is older than this',
  },
  {
    name: 'MIN_ACTIVATION_INTERVAL',
    kind: { type: 'non-negative-int' },
    default: '900',
    usedBy: ['coordinator', 'dev'],
    description: 'Minimum seconds between two activations of the same agent for discovery',
  },
  {
    name: 'MAX_DISCOVERY_QUEUE',
    kind: { type: 'positive-int' },
    usedBy: ['coordinator'],
    description: 'Cap on work:queue:low (default: 2 x live exploration-capable runners, at least 1)',
  },
  {
    name: 'MAX_DELIVERY_ATTEMPTS',
    kind: { type: 'positive-int' },
    default: '5',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Deliveries of one work item before it goes to work:dead and its agent into backoff',
  },
  {
    name: 'MAX_DEAD_LETTERS',
    kind: { type: 'positive-int' },
    default: '10000',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Cap on work:dead; beyond it the oldest dead letters are dropped (dead_letters_dropped)',
  },
  {
    name: 'BACKOFF_BASE_SECONDS',
    kind: { type: 'positive-int' },
    default: '30',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Circuit breaker: first backoff after a failed activation (doubles per failure)',
  },
  {
    name: 'BACKOFF_MAX_SECONDS',
    kind: { type: 'positive-int' },
    default: '3600',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Circuit breaker: longest backoff',
  },
  {
    name: 'LEASE_SECONDS',
    kind: { type: 'positive-int' },
    default: '30',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Lease on a claimed work item; the runner heartbeat extends it, the reaper requeues expired ones',
  },
  {
    name: 'LEADER_LEASE_SECONDS',
    kind: { type: 'positive-int' },
    default: '10',
    usedBy: ['coordinator', 'dev'],
    description: 'Coordinator leader lease; a standby takes over within this after the leader dies',
  },
  {
    name: 'AGENT_DEFINITIONS_PATH',
    kind: { type: 'string' },
    default: './agent-definitions',
    usedBy: ['coordinator', 'runner', 'dev', 'cli'],
    description: 'Folder with agents/<name>/config.yaml and skills/<skill>/SKILL.md (the git-sync checkout)',
  },
  {
    name: 'ANTHROPIC_API_KEY',
    kind: { type: 'string' },
    usedBy: ['runner', 'dev'],
    secret: true,
    description: 'Key for native agents with brain.provider anthropic (unless brain.api_key_env names another)',
  },
  {
    name: 'OPENAI_API_KEY',
    kind: { type: 'string' },
    usedBy: ['runner', 'dev'],
    secret: true,
    description: 'Key for native agents with brain.provider openai (unless brain.api_key_env names another)',
  },
  {
    name: 'GEMINI_API_KEY',
    kind: { type: 'string' },
    usedBy: ['runner', 'dev'],
    secret: true,
    description: 'Key for gemini-cli agents with brain.provider google (unless brain.api_key_env names another)',
  },
  {
    name: 'LOG_LEVEL',
    kind: { type: 'enum', values: ['DEBUG', 'INFO', 'WARNING', 'ERROR'], caseInsensitive: true },
    default: 'INFO',
    usedBy: ALL,
    description: 'DEBUG shows debug events such as poll_timeout and iteration',
  },
  {
    name: 'LOG_FORMAT',
    kind: { type: 'enum', values: ['json', 'pretty'], caseInsensitive: true },
    usedBy: ALL,
    description: 'json: JSON lines; pretty: one readable line per event. Unset: pretty on a terminal, else json',
  },
  {
    name: 'LOG_SENSITIVE',
    kind: { type: 'boolean' },
    default: 'false',
    usedBy: ['runner', 'dev'],
    description: 'Log prompts, model output and tool arguments/results (never secrets). Off in production',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    kind: { type: 'url' },
    usedBy: ['coordinator', 'runner', 'dev'],
    description:
      'Tracing: OTLP/HTTP base URL of a collector (Jaeger, Tempo, Langfuse ...), spans go to <url>/v1/traces; unset = tracing off',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    kind: { type: 'url' },
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Tracing: full traces URL, used as is (wins over OTEL_EXPORTER_OTLP_ENDPOINT)',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    kind: { type: 'enum', values: ['http/protobuf', 'http/json'] },
    default: 'http/protobuf',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Tracing: OTLP encoding (grpc is not supported)',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'dev'],
    secret: true,
    description: 'Tracing: headers of the export requests, k=v,k2=v2 percent-encoded (e.g. Authorization=Basic%20...)',
  },
  {
    name: 'OTEL_SERVICE_NAME',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Tracing: service.name (default botburrow-coordinator, botburrow-runner or botburrow-dev)',
  },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Tracing: extra resource attributes, k=v,k2=v2 (e.g. deployment.environment=prod)',
  },
  {
    name: 'OTEL_TRACES_SAMPLER',
    kind: {
      type: 'enum',
      values: SAMPLERS,
      caseInsensitive: true,
    },
    default: 'parentbased_always_on',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Tracing: which traces are kept',
  },
  {
    name: 'OTEL_TRACES_SAMPLER_ARG',
    kind: { type: 'string' },
    default: '1',
    usedBy: ['coordinator', 'runner', 'dev'],
    description: 'Tracing: ratio 0..1 of the traceidratio samplers',
  },
  {
    name: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
    kind: { type: 'boolean' },
    default: 'false',
    usedBy: ['runner', 'dev'],
    description:
      'Tracing: prompts, completions and tool arguments/results on spans (secrets redacted). Off in production',
  },
  {
    name: 'AGENT_PERMISSIONS_PATH',
    kind: { type: 'string' },
    usedBy: ['runner', 'dev', 'cli'],
    description:
      'Cluster grant policy and allowed_mcp_commands (ConfigMap agent-permissions, permissions.yaml); unset = no policy',
  },
  {
    name: 'MCP_STARTUP_TIMEOUT',
    kind: { type: 'positive-int' },
    default: '30',
    usedBy: ['runner', 'dev', 'cli'],
    description: 'Seconds an MCP server may take to start and list its tools before the activation fails',
  },
  {
    name: 'MCP_POOL_MAX',
    kind: { type: 'non-negative-int' },
    default: '16',
    usedBy: ['runner', 'dev'],
    description:
      'Warm stdio MCP servers a runner keeps between activations (least recently used idle one evicted); 0 = a fresh process per activation',
  },
  {
    name: 'MCP_POOL_IDLE_SECONDS',
    kind: { type: 'positive-int' },
    default: '300',
    usedBy: ['runner', 'dev'],
    description: 'A warm MCP server unused for this long is stopped',
  },
  {
    name: 'GITHUB_PAT',
    kind: { type: 'string' },
    usedBy: ['runner', 'dev'],
    secret: true,
    description: 'GitHub token for the github MCP server (github:read|write grants); given to that server only',
  },
  {
    name: 'BRAVE_API_KEY',
    kind: { type: 'string' },
    usedBy: ['runner', 'dev'],
    secret: true,
    description: 'Brave Search key for the brave MCP server (brave:search grant); given to that server only',
  },
  {
    name: 'POSTGRES_STATEMENT_TIMEOUT_MS',
    kind: { type: 'positive-int' },
    default: '30000',
    usedBy: ['runner', 'dev'],
    description: "statement_timeout (ms) of the postgres MCP servers' sessions (passed to those servers)",
  },
  {
    name: 'POSTGRES_IDLE_TX_TIMEOUT_MS',
    kind: { type: 'positive-int' },
    default: '60000',
    usedBy: ['runner', 'dev'],
    description: "idle_in_transaction_session_timeout (ms) of the postgres MCP servers' sessions",
  },
  {
    name: 'POSTGRES_MAX_ROWS',
    kind: { type: 'positive-int' },
    default: '200',
    usedBy: ['runner', 'dev'],
    description: 'Rows a postgres MCP statement returns at most; the rest is never fetched',
  },
  {
    name: 'AGENT_DEFINITIONS_REPO',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'GitHub mode: owner/repo fetched over HTTPS when AGENT_DEFINITIONS_PATH does not exist',
  },
  {
    name: 'AGENT_DEFINITIONS_BRANCH',
    kind: { type: 'string' },
    default: 'main',
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'GitHub mode: branch, tag or commit of AGENT_DEFINITIONS_REPO',
  },
  {
    name: 'GITHUB_TOKEN',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'cli'],
    secret: true,
    description: 'GitHub mode: token for a private definitions repository (and a higher rate limit)',
  },
  {
    name: 'HTTP_PROXY',
    kind: { type: 'url' },
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'Proxy for http:// requests (Hub, LLM APIs, GitHub mode); lowercase http_proxy also honoured',
  },
  {
    name: 'HTTPS_PROXY',
    kind: { type: 'url' },
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'Proxy for https:// requests (falls back to HTTP_PROXY); lowercase https_proxy also honoured',
  },
  {
    name: 'NO_PROXY',
    kind: { type: 'string' },
    usedBy: ['coordinator', 'runner', 'cli'],
    description: 'Hosts that bypass the proxy: comma-separated names, .domain suffixes, IPs, optional :port, or *',
  },
  {
    name: 'MAX_NOTIFICATION_ATTEMPTS',
    kind: { type: 'positive-int' },
    default: '3',
    usedBy: ['runner'],
    description:
      'Failed attempts at answering one notification (counted in Redis across runners) before it is marked read as failed (notification_failed)',
  },
  {
    name: 'BUDGET_CACHE_SECONDS',
    kind: { type: 'non-negative-int' },
    default: '10',
    usedBy: ['runner'],
    description:
      "How long a runner reuses an agent's healthy Hub budget-health answer (while the spend it reported since leaves the limits unreached); 0 = ask the Hub before every activation",
  },
  {
    name: 'LLM_MAX_RETRIES',
    kind: { type: 'non-negative-int' },
    default: '4',
    usedBy: ['runner'],
    description:
      'Retries of one model request after 429/5xx/529/connection errors (native executor), with full-jitter backoff from LLM_RETRY_BASE_MS doubling up to 30 s',
  },
  {
    name: 'LLM_RETRY_BASE_MS',
    kind: { type: 'positive-int' },
    default: '1000',
    usedBy: ['runner'],
    description: 'First backoff between model request retries (doubles per retry; a retry-after header wins)',
  },
  {
    name: 'RUNNER_DRAIN_TIMEOUT_MS',
    kind: { type: 'positive-int' },
    default: '30000',
    usedBy: ['runner'],
    description:
      'On SIGTERM, how long a runner lets activations finish before releasing their work (keep below terminationGracePeriodSeconds)',
  },
  {
    name: 'SANDBOX',
    kind: { type: 'enum', values: ['auto', 'bwrap', 'process'], caseInsensitive: true },
    default: 'auto',
    usedBy: ['runner', 'dev'],
    description:
      'Sandbox of CLI executors and stdio MCP servers: bwrap (bubblewrap; start-up fails if it cannot run), process (degraded: env allowlist, cwd, rlimits; warns sandbox_degraded), auto = bwrap when it works (a fallback refuses CLI agents and custom MCP servers)',
  },
  {
    name: 'SANDBOX_MEMORY_MB',
    kind: { type: 'non-negative-int' },
    default: '0',
    usedBy: ['runner', 'dev'],
    description:
      'Address-space limit (RLIMIT_AS) of each sandboxed process, in MiB; 0 = none (Node/Bun CLIs reserve large virtual ranges for WebAssembly, so prefer the pod memory limit)',
  },
  {
    name: 'SANDBOX_CPU_SECONDS',
    kind: { type: 'positive-int' },
    default: '600',
    usedBy: ['runner', 'dev'],
    description: 'CPU-time limit (RLIMIT_CPU) of each sandboxed process, in seconds',
  },
  {
    name: 'SANDBOX_MAX_PROCS',
    kind: { type: 'positive-int' },
    default: '256',
    usedBy: ['runner', 'dev'],
    description: 'Process/thread limit (RLIMIT_NPROC) of sandboxed commands, counted per uid (not enforced for root)',
  },
  {
    name: 'KEEP_WORKSPACES',
    kind: { type: 'boolean' },
    default: 'false',
    usedBy: ['runner', 'dev'],
    description: 'Keep each activation sandbox workspace after it ends (debugging; logs sandbox_workspace_kept)',
  },
  {
    name: 'METRICS_PORT',
    kind: { type: 'port' },
    usedBy: ['coordinator', 'runner'],
    description: 'Port for /metrics, /healthz, /readyz (default: coordinator 9090, runner 9091)',
  },
] as const satisfies readonly EnvVarSpec[];

/** Names of every variable in the table. */
export type EnvVarName = (typeof ENV_VARS)[number]['name'];

/** Look up one spec by name. */
export function envVarSpec(name: EnvVarName): EnvVarSpec {
  const spec = ENV_VARS.find((v) => v.name === name);
  if (!spec) throw new Error(`unknown env var ${name}`);
  return spec;
}
