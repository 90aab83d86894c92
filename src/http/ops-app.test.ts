// The ops endpoints over loopback HTTP, as Prometheus and the kubelet probes call them: /metrics, /healthz, /readyz
// (ready, not ready, readiness failing), HEAD, unknown paths and methods.
import { Agent, request } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpsApp } from './ops-app.js';
import { listen, type RunningServer } from './serve.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** One request; status, content type and body as received. */
function call(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ops endpoints', () => {
  it('serve /metrics, /healthz and /readyz on a loopback port', async () => {
    const registry = new Registry();
    new Counter({ name: 'botburrow_test_total', help: 'test', registers: [registry] }).inc(3);
    server = await listen(
      createOpsApp({ registry, readiness: () => Promise.resolve({ ok: true, details: { redis_latency_ms: 1 } }) }),
      0,
      '127.0.0.1',
    );
    const metrics = await call(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe(registry.contentType);
    expect(metrics.body).toContain('botburrow_test_total 3');
    expect(await call(`${server.url}/healthz`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    const ready = await call(`${server.url}/readyz?verbose=1`);
    expect(ready.status).toBe(200);
    expect(ready.type).toBe('application/json');
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', redis_latency_ms: 1 });
    expect(await call(`${server.url}/healthz`, 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await call(`${server.url}/nope`)).status).toBe(404);
    expect((await call(`${server.url}/metrics`, 'POST')).status).toBe(405);
  });

  it('/readyz answers 503 with the reason when not ready or when readiness fails', async () => {
    let readiness: () => Promise<{ ok: boolean; reason?: string }> = () =>
      Promise.resolve({ ok: false, reason: 'runner is draining' });
    server = await listen(createOpsApp({ registry: new Registry(), readiness: () => readiness() }), 0, '127.0.0.1');
    const draining = await call(`${server.url}/readyz`);
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body)).toEqual({ status: 'not_ready', reason: 'runner is draining' });
    readiness = () => Promise.reject(new Error('Redis ping timed out'));
    const failing = await call(`${server.url}/readyz`);
    expect(failing.status).toBe(503);
    expect(JSON.parse(failing.body)).toEqual({ status: 'not_ready', reason: 'Redis ping timed out' });
  });

  it('close() returns while a client keeps its connection open', async () => {
    server = await listen(
      createOpsApp({ registry: new Registry(), readiness: () => Promise.resolve({ ok: true }) }),
      0,
    );
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const keepAlive = await new Promise<number>((resolve, reject) => {
      const req = request(`${server!.url}/healthz`, { agent: new Agent({ keepAlive: true }) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(keepAlive).toBe(200);
    await server.close();
    server = undefined;
  });
});
