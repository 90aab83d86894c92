// The README's walkthroughs, run literally: the fenced shell blocks marked `<!-- readme-walkthrough: NAME -->` (the
// quick start, "A new agent" and the commands run from the dev folder) are extracted from README.md and each line
// runs in bash, in a temporary folder holding a copy of the repository's examples/, with `npx botburrow-agents`
// being this checkout's bin/botburrow-agents.js. Each command is checked against what the README says next to it
// (its `# "quoted"` output, the agent it says is listed, the store line). Two deviations, both for a shared test
// machine: `npm install` is a no-op (the checkout's node_modules is used) and `npm test` is not run from inside the
// suite; `dev` gets `--port <free port>` appended, since 8000 may be taken.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpHubClient } from '../../src/hub/http-hub-client.js';
import { freePort } from '../../src/testing/redis-server.js';
import { waitFor } from '../../src/testing/wait-for.js';

const BIN = resolve('bin/botburrow-agents.js');
const README = readFileSync('README.md', 'utf8');

/** The command lines of the fenced block after `<!-- readme-walkthrough: NAME ... -->`. */
function walkthrough(name: string): string[] {
  const at = README.indexOf(`<!-- readme-walkthrough: ${name}`);
  if (at < 0) throw new Error(`README.md has no <!-- readme-walkthrough: ${name} --> block`);
  const block = /```bash\n([\s\S]*?)```/.exec(README.slice(at));
  if (!block?.[1]) throw new Error(`no \`\`\`bash block after the ${name} marker`);
  return block[1].split('\n').filter((l) => l.trim() !== '');
}

/** What the README says next to a command: its comment. */
const commentOf = (line: string): string => /\s#\s(.*)$/.exec(line)?.[1] ?? '';
/** The `"quoted"` strings of a comment: output the README promises. */
const quotedIn = (comment: string): string[] => [...comment.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);

// `npx botburrow-agents` is this checkout's CLI; `npm install` is a no-op (see the header).
const PRELUDE = [
  `npx() { if [ "$1" = botburrow-agents ]; then shift; node ${JSON.stringify(BIN)} "$@"; else command npx "$@"; fi; }`,
  'npm() { if [ "$1" = install ]; then return 0; fi; command npm "$@"; }',
].join('\n');

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'INFO' };
  for (const name of [
    'ANTHROPIC_API_KEY',
    'OPENAI_API_KEY',
    'VALKEY_URL',
    'REDIS_URL',
    'AGENT_DEFINITIONS_PATH',
    'HUB_API_KEY',
    'HUB_ADMIN_KEY',
    'KUBERNETES_SERVICE_HOST',
  ])
    delete env[name];
  return env;
}

const work = mkdtempSync(join(tmpdir(), 'bb-readme-'));
cpSync('examples', join(work, 'examples'), { recursive: true });
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Run one README line to completion in the work folder. */
function run(line: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `${PRELUDE}\n${line}`], {
    cwd: work,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start a long-running README line (dev mode) with `--port` appended; resolves once its banner is printed. */
async function startDev(line: string): Promise<{ child: ChildProcess; url: string; banner: () => string }> {
  const port = await freePort();
  const command = `${line.replace(/\s#\s.*$/, '')} --port ${port}`;
  const child = spawn('bash', ['-c', `${PRELUDE}\n${command}`], {
    cwd: work,
    env: cleanEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => out.includes('Ctrl-C stops everything.'), {
    timeoutMs: 60_000,
    message: `no dev banner for: ${command}\n${out.slice(-2000)}`,
  });
  expect(out).toContain(`Botburrow dev mode is running: open ${url}/ and @mention an agent`);
  return { child, url, banner: () => out };
}

/** Ctrl-C (SIGINT to the process group): dev mode stops and exits 0. */
async function interrupt(dev: { child: ChildProcess; banner: () => string }): Promise<void> {
  process.kill(-dev.child.pid!, 'SIGINT');
  await waitFor(() => dev.child.exitCode !== null, { timeoutMs: 15_000, message: 'dev still running after Ctrl-C' });
  expect(dev.child.exitCode).toBe(0);
  expect(dev.banner()).toContain('botburrow dev mode stopped');
}

/** The service key: printed by the banner when new, else (a dev Hub started before in this folder) by `dev keys`. */
function serviceKey(banner: string): string {
  const pattern = /service key.*?(botburrow_service_[0-9a-f]{64})/;
  const key = pattern.exec(banner)?.[1] ?? pattern.exec(run('npx botburrow-agents dev keys').stdout)?.[1];
  if (!key) throw new Error(`no service key in the banner or dev keys:\n${banner}`);
  return key;
}

/** Post a mention as the human and wait for the agent's reply; README: without a key the offline brain answers. */
async function mentionAndWaitForReply(url: string, key: string, agent: string, text: string): Promise<string> {
  const human = new HttpHubClient({ baseUrl: url, apiKey: key });
  const post = await human.createPost({ agentId: 'human', content: text });
  const reply = await waitFor(
    async () => (await human.getThread(post.id, { agentId: 'human' })).comments.find((c) => c.author.id === agent),
    { timeoutMs: 60_000, intervalMs: 200, message: `no reply from @${agent}` },
  );
  expect(reply.content).toMatch(/— offline brain \(set \w+ for real answers\)/);
  return reply.content;
}

describe('README walkthroughs', { timeout: 300_000 }, () => {
  it('quick start: `npx botburrow-agents dev` runs the whole system, no key needed', async () => {
    const lines = walkthrough('quick-start');
    expect(lines.map((l) => l.replace(/\s+#.*$/, ''))).toEqual(['npm install && npx botburrow-agents dev', 'npm test']);
    // "the whole system on http://localhost:8000, no key needed": the page answers, @helper replies offline
    const dev = await startDev(lines[0]!);
    expect(commentOf(lines[0]!)).toContain('no key needed');
    expect((await fetch(`${dev.url}/`)).status).toBe(200);
    // Local mode: "post `@helper what is a circuit breaker?`, and watch the reply arrive"
    expect(README).toContain('post\n`@helper what is a circuit breaker?`');
    await mentionAndWaitForReply(dev.url, serviceKey(dev.banner()), 'helper', '@helper what is a circuit breaker?');
    await interrupt(dev);
  });

  it('A new agent: copy, add poet, validate, dev; then status and dev keys from the same folder', async () => {
    const lines = walkthrough('new-agent');
    const checks: [RegExp, (line: string) => Promise<void> | void][] = [
      [
        /^cp -r examples\/agent-definitions my-agents$/,
        (l) => {
          expect(run(l).code).toBe(0);
          expect(existsSync(join(work, 'my-agents/agents/helper/config.yaml'))).toBe(true);
        },
      ],
      [/^mkdir my-agents\/agents\/poet$/, (l) => expect(run(l).code).toBe(0)],
      [
        /^cp my-agents\/agents\/helper\/system-prompt\.md my-agents\/agents\/poet\/$/,
        (l) => {
          expect(run(l).code).toBe(0);
          expect(existsSync(join(work, 'my-agents/agents/poet/system-prompt.md'))).toBe(true);
        },
      ],
      [
        /^sed .* > my-agents\/agents\/poet\/config\.yaml$/,
        (l) => {
          expect(run(l).code).toBe(0);
          expect(readFileSync(join(work, 'my-agents/agents/poet/config.yaml'), 'utf8')).toMatch(/^name: poet$/m);
        },
      ],
      [
        /^npx botburrow-agents validate --path my-agents\s/,
        (l) => {
          const r = run(l);
          expect(r.code, r.stdout + r.stderr).toBe(0);
          const promised = quotedIn(commentOf(l));
          expect(promised).toEqual(['ok    agent poet', '8 valid']);
          for (const text of promised) expect(r.stdout).toContain(text);
        },
      ],
    ];
    expect(lines).toHaveLength(checks.length + 1);
    for (const [i, [pattern, check]] of checks.entries()) {
      expect(lines[i], `README line ${i + 1} of the new-agent block`).toMatch(pattern);
      await check(lines[i]!);
    }
    // "@poet is registered on the dev Hub and listed with its brain"
    const devLine = lines.at(-1)!;
    expect(devLine).toMatch(/^npx botburrow-agents dev --definitions my-agents\s+# @poet is registered/);
    const dev = await startDev(devLine);
    try {
      expect(dev.banner()).toContain(`agents (${join(work, 'my-agents')}):`);
      expect(dev.banner()).toMatch(/@poet\s+offline brain: set ANTHROPIC_API_KEY for real answers/);
      const key = serviceKey(dev.banner());
      // "@mention it on the page (`@poet write about queues`): without a key the offline brain answers"
      expect(README).toContain('(`@poet write about queues`)');
      await mentionAndWaitForReply(dev.url, key, 'poet', '@poet write about queues');

      const [statusLine, keysLine, ...more] = walkthrough('dev-folder');
      expect(more).toEqual([]);
      expect(statusLine).toMatch(/^npx botburrow-agents status\s/);
      const status = run(statusLine!);
      expect(status.code, status.stderr).toBe(0);
      // "first line: store: dev mode at http://127.0.0.1:8000 (.botburrow/dev.json)", at this run's port
      const promisedFirst = /first line: (.*)$/.exec(commentOf(statusLine!))![1]!;
      expect(status.stdout.split('\n')[0]).toBe(promisedFirst.replace('http://127.0.0.1:8000', dev.url));
      expect(status.stdout).toMatch(/leader/i);

      expect(keysLine).toMatch(/^npx botburrow-agents dev keys\s+# the dev Hub's service, admin and human keys$/);
      const keys = run(keysLine!);
      expect(keys.code, keys.stderr).toBe(0);
      expect(keys.stdout).toContain(`dev mode running at ${dev.url}`);
      expect(keys.stdout).toMatch(new RegExp(`service key .*${key}`));
      expect(keys.stdout).toMatch(/admin key .*botburrow_admin_[0-9a-f]{64}/);
      expect(keys.stdout).toMatch(/human key \(@human\).*botburrow_human_[0-9a-f]{64}/);
    } finally {
      await interrupt(dev);
    }
  });
});
