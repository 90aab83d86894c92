// A runner process SIGKILLed in the middle of an activation loses nothing: the reaper requeues its work after the
// lease expires, another runner claims it (attempt 2) and the reply is posted exactly once. Also when the kill
// lands between posting the reply and acking the work, on a Hub that ignores Idempotency-Key: the next runner
// finds the reply in the thread and posts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../../src/testing/fake-llm-server.js';
import { FaultProxy } from '../../src/testing/fault-proxy.js';
import { startRedisServer, type RedisServerHandle } from '../../src/testing/redis-server.js';
import { CLI_MAIN } from '../../src/testing/run-cli.js';
import { RuntimeHarness } from '../../src/testing/runtime-harness.js';
import { waitFor } from '../../src/testing/wait-for.js';

let redis: RedisServerHandle;
let h: RuntimeHarness;

beforeAll(async () => {
  redis = await startRedisServer();
  h = await RuntimeHarness.start(
    redis.url,
    (llm) => [
      { name: 'helper', apiBase: llm.url },
      { name: 'poster', apiBase: llm.url },
    ],
    { ignoreIdempotency: true },
  );
});
afterAll(async () => {
  await h.close();
  await redis.stop();
});

describe('runner killed mid-activation', () => {
  it('redelivers the work to another runner and posts the reply exactly once', async () => {
    h.llm.script([text('reply from the killed runner', { latencyMs: 60_000 }), text('reply from the second runner')]);
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'runner', '--mode', 'notification'], {
      env: { ...h.env, LEASE_SECONDS: '2', RUNNER_ID: 'doomed-runner' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitFor(() => output.includes('"redis_connected"'), { timeoutMs: 15_000, message: 'runner did not start' });
    const post = await h.mention('@helper are you still there?');
    await h.store.enqueue({ agent_id: 'helper', task_type: 'INBOX', inbox_count: 1, has_mention: true });
    await h.llm.waitForRequests(1, 15_000);
    expect(output).toContain('"activation_started"');
    child.kill('SIGKILL');
    await exited;

    const token = await h.store.tryAcquireLeadership('test-reaper', 60_000);
    expect(token).toBeTruthy();
    const requeued = await waitFor(
      async () => {
        const ids = (await h.store.reap(token!)).requeued;
        return ids.length > 0 ? ids : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, message: 'the reaper never requeued the killed runner’s work' },
    );
    expect(requeued).toHaveLength(1);
    await h.store.releaseLeadership(token!);

    const second = await h.startRunner({ mode: 'notification' });
    await waitFor(async () => (await h.repliesBy(post.id, 'helper')).length > 0, { timeoutMs: 10_000 });
    await waitFor(() => second.capture.events().includes('activation_completed'));
    const replies = await h.repliesBy(post.id, 'helper');
    expect(replies.map((r) => r.content)).toEqual(['reply from the second runner']);
    expect(second.capture.lines.find((l) => l.event === 'activation_started')).toMatchObject({
      agent_id: 'helper',
      attempt: 2,
    });
    expect(await h.human.listNotifications({ agentId: 'helper', unreadOnly: true })).toEqual([]);
    await second.runner.stop(500);
  });

  it('between posting the reply and acking: the next runner finds the reply in the thread, posts nothing', async () => {
    // The Hub stores the comment; the runner is SIGKILLed before it hears the answer (it never acks).
    const proxy = await FaultProxy.start(h.hub.url);
    let child: ChildProcess | undefined;
    let exited: Promise<unknown> = Promise.resolve();
    proxy.afterForward = async (req, status) => {
      if (req.method !== 'POST' || !req.path.endsWith('/comments') || status >= 300 || !child) return undefined;
      child.kill('SIGKILL');
      await exited;
      return 'reset';
    };
    try {
      h.llm.script([text('the only reply'), text('a second reply that must not be posted')]);
      child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'runner', '--mode', 'notification'], {
        env: { ...h.env, HUB_URL: proxy.url, LEASE_SECONDS: '2', RUNNER_ID: 'killed-after-post' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      exited = new Promise((resolve) => child!.on('exit', resolve));
      await waitFor(() => output.includes('"redis_connected"'), { timeoutMs: 15_000, message: 'runner did not start' });
      const post = await h.mention('@poster one answer please');
      await h.store.enqueue({ agent_id: 'poster', task_type: 'INBOX', inbox_count: 1, has_mention: true });
      await waitFor(() => proxy.resets === 1, { timeoutMs: 20_000, message: 'the reply POST never happened' });
      await exited;
      expect(output).not.toContain('"activation_completed"');
      expect((await h.store.listInFlight()).map((w) => w.item.agent_id)).toEqual(['poster']);
      expect(await h.repliesBy(post.id, 'poster')).toHaveLength(1);

      const token = await h.store.tryAcquireLeadership('test-reaper-2', 60_000);
      await waitFor(async () => (await h.store.reap(token!)).requeued.length > 0, {
        timeoutMs: 10_000,
        intervalMs: 200,
        message: 'the reaper never requeued the killed runner’s work',
      });
      await h.store.releaseLeadership(token!);
      const second = await h.startRunner({ mode: 'notification' });
      await waitFor(() => second.capture.events().includes('activation_completed'), { timeoutMs: 15_000 });
      expect(second.capture.lines.find((l) => l.event === 'activation_started')).toMatchObject({
        agent_id: 'poster',
        attempt: 2,
      });
      expect(second.capture.events()).toContain('reply_already_posted');
      expect((await h.repliesBy(post.id, 'poster')).map((r) => r.content)).toEqual(['the only reply']);
      expect(await h.human.listNotifications({ agentId: 'poster', unreadOnly: true })).toEqual([]);
      // The model was asked once: the second runner did not answer again.
      expect(h.llm.requests.filter((r) => r.rawBody.includes('one answer please'))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
