// The map from each promise of README.md's "How it works" and "Reliability and performance" sections to what proves
// it: the tests (file + exact test name), or for a measured figure the benchmark that measures it. Checked by
// scripts/promise-map.ts (`npm run test:promises`, and test/promise-map.test.ts in `npm test`): every sentence of
// "How it works" and every paragraph / fault-table row of "Reliability and performance" must contain the `readme`
// quote of at least one entry, every quote must still be in README, and every named test must exist in its file.

import { testsIn as t, type PromiseEntry } from './promise-entry.js';
import { MCP_POOL_PROMISES } from './mcp-pool-promises.js';
import { RELIABILITY_PROMISES } from './reliability-promises.js';

const COORDINATOR = 'src/coordinator/coordinator.test.ts';
const SCHEDULING = 'src/coordinator/coordinator-scheduling.test.ts';
const FAILOVER = 'test/e2e/coordinator-failover.test.ts';
const QUEUES = 'src/testing/contracts/store-contract-queues.ts';
const LEASES = 'src/testing/contracts/store-contract-leases.ts';
const RECORDS = 'src/testing/contracts/store-contract-records.ts';
const RUNNER = 'src/runner/runner.test.ts';
const OPS = 'test/e2e/ops-commands.test.ts';
const OUTCOMES = 'src/runner/notification-outcomes.test.ts';
const EXACTLY_ONCE = 'src/runner/exactly-once.test.ts';
const POISON = 'src/runner/poison-notification.test.ts';
const STORE_RESET = 'src/store/redis/store-reset.test.ts';
const LOOP_GUARD = 'src/activation/loop-guard.test.ts';
const FAULTS = 'test/faults/fault-suite.test.ts';
const DELIVERY = 'test/faults/delivery-faults.test.ts';
const TRACING = 'src/observability/tracing.test.ts';
const TRACING_E2E = 'test/e2e/tracing.test.ts';

const RENEWAL = 'a failed renewal stops leader work at once (lost_leadership) and schedules nothing until re-elected';
const HUB_BUDGET =
  'deferred_budget (Hub budget): parked until the next UTC midnight, one budget_exhausted line, left unread';
const SIGKILLS = 'runners SIGKILLed mid-activation, repeatedly, while replacements start';
const ELECTS = 'elects one leader; only the leader polls the Hub; stop hands leadership over promptly';

export const README_PROMISES: PromiseEntry[] = [
  // ---- How it works: leader election
  {
    readme: 'every coordinator replica campaigns for `coordinator:leader`',
    tests: [
      ...t(RECORDS, 'elects exactly one leader among 5 contenders, round after round, with growing epochs'),
      ...t(
        'src/store/redis/redis-store.test.ts',
        'DEL activation:{id} force-stops the watching runner; GET coordinator:leader shows the fencing value',
      ),
      ...t(FAILOVER, 'SIGTERM hands leadership over at once and exits 0'),
      ...t(COORDINATOR, ELECTS),
    ],
  },
  {
    readme: 'Only the leader polls the Hub, schedules work and runs the reaper',
    tests: [
      ...t(COORDINATOR, ELECTS),
      ...t(COORDINATOR, RENEWAL),
      ...t(LEASES, 'rejects reap with a deposed fencing token'),
    ],
  },
  {
    readme: 'Logs: `became_leader`, `lost_leadership`, `released_leadership`',
    tests: [...t(COORDINATOR, RENEWAL), ...t(FAILOVER, 'SIGTERM hands leadership over at once and exits 0')],
  },
  // ---- Scheduling
  {
    readme: 'the leader long-polls `/notifications/poll` with the Hub',
    tests: [
      ...t(
        COORDINATOR,
        'turns a mention into one INBOX item on work:queue:high, merges a second one, skips undefined agents',
        'does not queue an agent in work:backoff until the entry is deleted',
      ),
      ...t(
        'src/hub/hub-client-long-poll.test.ts',
        'returns soon after a mention is posted, long before the poll timeout',
        'a full batch moves the cursor only past what it returned, so no agent is skipped',
      ),
      ...t(QUEUES, 'dedupes per (agent, task type): merge updates inbox_count, a mention moves it to high'),
    ],
  },
  {
    readme: 'queue it again behind the running item',
    tests: [
      ...t(
        QUEUES,
        'queues new notifications behind a running agent: claimable once it is acked, folded into a requeue',
      ),
      ...t(
        RUNNER,
        'queues the agent again behind its running activation: the new mention gets its own activation right after',
      ),
    ],
  },
  {
    readme: 'independently of the long-poll, a full resync',
    tests: [
      ...t(COORDINATOR, 'does not queue an agent in work:backoff until the entry is deleted'),
      ...t(
        SCHEDULING,
        'a wake-up (what backoff clear sends) queues the agent without waiting for the next resync',
        'DEL work:backoff by hand queues the agent without waiting for the next resync',
        'a definition added (git-sync) queues the agent without waiting for the next resync',
      ),
      ...t('src/hub/hub-client-paging.test.ts', 'returns every agent with unread notifications, past the first page'),
    ],
  },
  {
    readme: 'Stale agents become DISCOVERY work on `low`, capped at `MAX_DISCOVERY_QUEUE`',
    tests: [
      ...t(
        COORDINATOR,
        'queues stale agents on work:queue:low, bounded by the cap, skipping discovery-disabled agents',
        'MIN_ACTIVATION_INTERVAL: an agent activated more recently is not queued for discovery',
      ),
      ...t(SCHEDULING, 'queues activatable stale agents behind 200 it cannot activate (no definition, discovery off)'),
    ],
  },
  {
    readme: 'Every write is fenced by the leader token inside Redis (`not_leader`)',
    tests: t(SCHEDULING, "refuses a deposed leader's enqueue inside Redis and logs not_leader, not redis_unavailable"),
  },
  {
    readme: 'Without a long-poll endpoint (404)',
    tests: t('src/hub/hub-client-long-poll.test.ts', 'falls back to has_notifications on 404 and says so'),
  },
  // ---- Reliable claims
  {
    readme: 'a claim moves an item atomically (Lua) into an in-flight record',
    tests: [
      ...t(
        LEASES,
        'lists the in-flight item with its runner and deadline; extendLease moves the deadline',
        'ack success clears backoff; failure records it; neither requeues',
      ),
      ...t(QUEUES, 'concurrent claimers never get the same item and lose none (200 items × 8 claimers)'),
      ...t(
        'src/store/redis/kill.test.ts',
        'an item claimed by a SIGKILLed runner is requeued by the reaper and claimed by another',
      ),
    ],
  },
  {
    readme: 'The reaper requeues expired leases at the head of their queue',
    tests: [
      ...t(
        LEASES,
        'requeues an expired lease at the head with attempt+1; the old owner is rejected',
        'dead-letters after maxDeliveryAttempts and backs the agent off; requeueDead restores it',
      ),
      ...t(OPS, 'dead ls shows what the reaper dead-lettered; dead requeue puts it back'),
    ],
  },
  {
    readme: 'At most one queued and one running item per',
    tests: t(
      QUEUES,
      'dedupes per (agent, task type): merge updates inbox_count, a mention moves it to high',
      'refuses enqueue while the same agent and task type is in flight',
      'queues new notifications behind a running agent: claimable once it is acked, folded into a requeue',
      'does not hand out an agent whose other task type is in flight, and wakes when it is acked',
    ),
  },
  {
    readme: 'claims its next item in the same script call',
    tests: [
      ...t(
        LEASES,
        'ackAndClaim acks and claims the next claimable item in one step; a lost lease still frees the slot',
      ),
      ...t(
        RUNNER,
        'claims the next item with the success ack; one claimed as the runner starts draining goes back untouched',
      ),
    ],
  },
  {
    readme: 'A SIGKILLed runner loses nothing.',
    tests: [
      ...t('test/e2e/runner-kill.test.ts', 'redelivers the work to another runner and posts the reply exactly once'),
      ...t(FAULTS, SIGKILLS),
    ],
  },
  // ---- Activations
  {
    readme: '**Activations**: load the definition; check the budget',
    tests: [
      ...t(RUNNER, 'posts the answer on the post, marks it read, reports consumption and sets last_activated_at'),
      ...t(RUNNER, 'posts nothing on SKIP, nothing when respond_to_mentions is false, and still marks read'),
      ...t(
        OUTCOMES,
        HUB_BUDGET,
        'replied to `reply` notifications: each answer is threaded under the comment it answers (parent_id)',
        'opted_out (respond_to_replies: false): a reply is marked read unanswered, a mention still answered',
      ),
      ...t(EXACTLY_ONCE, 'a notification redelivered after its reply was posted is not answered again'),
    ],
  },
  {
    readme: "Failures go to the agent's circuit breaker (`work:backoff`)",
    tests: [
      ...t(RUNNER, 'refuses to post for an agent without hub:write and puts it in backoff'),
      ...t(RUNNER, 'backs off exponentially while the Hub is down, handing the work back each time with attempt+1'),
      ...t(RECORDS, 'follows min(base·2^(failures-1), max) with jitter shortening it by up to jitter·delay'),
      ...t(FAULTS, 'Hub answering 503 for a while, then the LLM answering 529 for a while'),
    ],
  },
  {
    readme: 'A notification that would fail on every retry',
    tests: [
      ...t(
        OUTCOMES,
        'opted_out (respond_to_mentions: false) and failed (max_iterations), both marked read',
        'failed (max_tokens_per_activation): the loop stops at the token budget, marked read, tokens reported',
      ),
      ...t('test/faults/bad-input.test.ts', 'logs a clear error for each bad input and breaks nothing else'),
    ],
  },
  {
    readme: '`DEL activation:{id}` stops an activation within a second',
    tests: [
      ...t(RUNNER, 'honours force stop (DEL activation:{id}) with activation_stopped and puts the agent in backoff'),
      ...t(RECORDS, 'force stop (operator deletes the record) aborts the watch promptly and is never resurrected'),
      ...t(OPS, 'activation ls / stop: the runner aborts the stopped activation'),
    ],
  },
  {
    readme: "A record lost with Redis's data",
    tests: [
      ...t(
        STORE_RESET,
        'restores the running activation and its claim instead of force-stopping it; DEL still stops',
        'restores a record that expired because no heartbeat refreshed it (Redis unreachable), not a force stop',
      ),
      ...t(
        COORDINATOR,
        'on a fresh data set (Redis lost its data) the new leader waits a runner heartbeat before scheduling',
      ),
      ...t(DELIVERY, '(d) redis-server restarted without persistence mid-activations'),
    ],
  },
  {
    readme: 'A runner that cannot renew its lease',
    tests: [
      ...t(
        'src/runner/runner-fencing.test.ts',
        'stops its activation before its lease runs out and writes nothing; another runner answers once',
      ),
      ...t(DELIVERY, '(e) one runner blackholed from Redis while the Hub and the LLM stay reachable'),
    ],
  },
  {
    readme: 'Exactly one reply does not rest on the Hub honouring `Idempotency-Key`',
    tests: [
      ...t(
        EXACTLY_ONCE,
        'a comment POST whose response was lost is found in the thread, not sent twice',
        'a post POST whose response was lost (hub_create_post) is found among the newest posts, not sent twice',
        'a notification redelivered after its reply was posted is not answered again',
      ),
      ...t(
        'test/e2e/runner-kill.test.ts',
        'between posting the reply and acking: the next runner finds the reply in the thread, posts nothing',
      ),
      ...t(
        POISON,
        'whose model writes a different reply through hub_reply posts nothing new (keyed by notification + ordinal)',
      ),
      ...t(DELIVERY, '(a) the Hub ignores Idempotency-Key and resets the first comment POST of each agent'),
    ],
  },
  {
    readme: 'Redis commands whose reply was lost in a reconnect are not re-sent',
    tests: [
      ...t(STORE_RESET, 'is not re-sent (which would take a second item) and is read back by its token'),
      ...t(DELIVERY, '(f) dropped Redis replies force reconnects of every process'),
    ],
  },
  {
    readme: 'A notification whose answer keeps failing',
    tests: [
      ...t(
        POISON,
        'whose thread answers 503 while the Hub is up: the others are answered, it fails after 3 attempts',
        'whose prompt makes the LLM fail: tried last next time, failed after 3 attempts, the others answered',
        'is not what a model outage makes of a notification: nothing answered by the model, no attempt counted',
        'is not what a Hub-wide outage makes of a notification: no attempt is burned',
      ),
      ...t(DELIVERY, '(b) one thread answers 503 forever', '(c) the LLM answers 500 for one prompt only'),
    ],
  },
  // ---- Conversations that end (loop guard)
  {
    readme: 'a notification whose trigger was written by a human is always answered',
    tests: t(
      LOOP_GUARD,
      'refuses a fourth answer to agents in one thread, whatever the other agent; humans are always answered',
    ),
  },
  {
    readme: 'One written by another agent is answered at most `behavior.max_agent_replies_per_thread` times',
    tests: t(
      LOOP_GUARD,
      'counts the agent comments whose parent (comment or post) was written by another agent, not by a human',
      'refuses a fourth answer to agents in one thread, whatever the other agent; humans are always answered',
      'also counts answers recorded in the store (replies that were not threaded on the Hub)',
      'answers one agent at most max_replies_to_agent_per_hour times in a sliding hour across threads',
    ),
  },
  {
    readme: 'Beyond that the notification is marked read unanswered and logged `loop_guard`',
    tests: t(OUTCOMES, 'loop_guard: an agent mention is marked read unanswered when max_agent_replies_per_thread is 0'),
  },
  {
    readme: '`0` disables agent-to-agent answers.',
    tests: t(LOOP_GUARD, '0 disables agent-to-agent answers entirely, humans still answered'),
  },
  {
    readme: "Two agents that echo each other's `@name`s therefore stop after 8 comments",
    tests: [
      ...t(
        'test/e2e/agent-loop.test.ts',
        'ends a mention storm between two agents at 8 agent comments, and still answers the human',
      ),
      ...t(
        'test/e2e/dev-loop.test.ts',
        'answers `@helper and @researcher: …` once each and goes quiet within the loop-guard bound',
      ),
    ],
  },
  {
    readme: 'Prompts carry every Hub item',
    tests: t(
      'src/activation/prompts.test.ts',
      'puts who is who on the first line and every Hub item in its own block, after the notice',
      'keeps a comment that forges a speaker inside ONE block, attributed to its real author',
      'keeps a post that forges a speaker inside ONE block, with escaped titles and names',
    ),
  },
  // ---- Limits and budgets
  {
    readme: '**Limits and budgets**: `behavior.can_create_posts`, `max_daily_posts` and `max_daily_comments`',
    tests: [
      ...t(
        'src/activation/write-limits.test.ts',
        'refuses posts when can_create_posts is false, comments still allowed',
        'counts comments over a sliding day and says when the next one is possible',
        'limitedWrite takes a place atomically: parallel writes cannot all pass; a failed write gives it back',
      ),
      ...t(
        'src/testing/contracts/store-contract-events.ts',
        'adds under a bound atomically: racing writers cannot all pass one check; a known id is never refused',
      ),
      ...t(OUTCOMES, 'a hub_create_post refused by can_create_posts comes back to the model as a tool error'),
      ...t(
        'src/runner/cli-write-limits.test.ts',
        'can_create_posts: false refuses hub_create_post called by a CLI agent; the CLI sees the refusal',
      ),
      ...t(
        'src/mcp/hub-mcp-server.test.ts',
        "enforces the definition's write limits: can_create_posts and max_daily_comments refuse with a tool error",
      ),
    ],
  },
  {
    readme: 'When the reply itself would exceed `max_daily_comments`',
    tests: t(
      OUTCOMES,
      'deferred_budget (max_daily_comments): the second mention stays unread and the agent is parked',
      'max_daily_comments: 0 refuses for good: opted_out, marked read, no park',
    ),
  },
  {
    readme: 'That check before the model call takes the count of the runner',
    tests: t(
      'src/activation/write-limits.test.ts',
      'answers the pre-model check from the last reservation while it left room and is fresh; asks the store otherwise',
      'a hopeful pre-model check is still refused by the reservation (another runner used the room)',
    ),
  },
  {
    readme: 'An agent whose Hub budget is exhausted',
    tests: [
      ...t(OUTCOMES, HUB_BUDGET),
      ...t(
        'src/activation/budget-reset.test.ts',
        'is the next UTC midnight for a daily limit, the first of next month for a monthly one, the later of both',
      ),
    ],
  },
  {
    readme: "A runner reuses an agent's healthy budget answer for `BUDGET_CACHE_SECONDS`",
    tests: [
      ...t(
        'src/runner/budget-cache-round-trips.test.ts',
        'asks budget-health once for an agent activated twice within the TTL',
        'asks before every activation with BUDGET_CACHE_SECONDS=0',
        'sees a budget exhausted on the Hub once the cached healthy answer is older than the TTL',
        'asks again within the TTL once the cost the runner reported reaches the limit',
      ),
      ...t(
        'src/activation/budget-cache.test.ts',
        'never keeps an unhealthy answer, and one replaces a cached healthy answer',
        'treats limits of 0 as unlimited',
      ),
    ],
  },
  {
    readme: '`botburrow-agents backoff clear AGENT` ends a park.',
    tests: [
      ...t(OPS, 'backoff ls / clear AGENT / clear: cleared agents are schedulable again'),
      ...t(
        'src/testing/contracts/store-contract-events.ts',
        'refuses its work until the given time without counting a failure; backoff clear ends it',
      ),
    ],
  },
  // ---- An outcome for every notification
  {
    readme: '**An outcome for every notification**',
    tests: t(
      OUTCOMES,
      'replied, skipped and not_answerable, each marked read and counted',
      'opted_out (respond_to_mentions: false) and failed (max_iterations), both marked read',
      'loop_guard: an agent mention is marked read unanswered when max_agent_replies_per_thread is 0',
      'deferred_budget (max_daily_comments): the second mention stays unread and the agent is parked',
      'agent_unavailable: a missing executor leaves the notification unread and backs the agent off',
    ),
  },
  {
    readme: 'Each is logged as `notification_outcome`',
    tests: [
      ...t(OUTCOMES, 'replied, skipped and not_answerable, each marked read and counted'),
      ...t(
        'src/devmode/activity-feed.test.ts',
        "lists each notification's outcome, whether it is logged before or after the activation started",
      ),
    ],
  },
  // ---- How it works: tracing
  {
    readme: 'with `OTEL_EXPORTER_OTLP_ENDPOINT` set, one mention is one trace across processes',
    tests: t(TRACING_E2E, 'one mention is one trace: coordinator and runner spans linked through the work item'),
  },
  {
    readme: "A failed activation's spans are ERROR with the classified failure as status message",
    tests: t(TRACING_E2E, 'a failed activation: its spans carry status ERROR with the classified failure'),
  },
  {
    readme: 'Log lines written inside a span carry its `trace_id` and `span_id`',
    tests: [
      ...t(TRACING, 'exports spans over http/protobuf; a log line inside a span carries its trace_id and span_id'),
      ...t(TRACING_E2E, 'one mention is one trace: coordinator and runner spans linked through the work item'),
    ],
  },
  {
    readme: 'Without an endpoint no exporter or provider is created',
    tests: t(TRACING, 'creates no exporter and no provider: spans are the API no-ops and log lines carry no ids'),
  },
  {
    readme: 'Prompts and completions go on spans only with',
    tests: t(
      TRACING,
      'a model call is a `chat <model>` span with the GenAI attributes; content only when captured, redacted',
    ),
  },
  { readme: 'Spans and backends: "Tracing" in', context: 'a pointer to the operations guide' },
  ...MCP_POOL_PROMISES,
  {
    readme: 'Redis keys, types, owners and TTLs',
    tests: t('src/store/redis/redis-keys-doc.test.ts', 'has a row, with its type, for every key the store builds'),
  },
  ...RELIABILITY_PROMISES,
];
