// Dev Hub hardening over real loopback sockets: the keyless web API answers only loopback Host/Origin values (no DNS
// rebinding, no cross-site writes as the human), every response carries CSP and no-framing headers, bodies over
// 1 MiB get 413, and a non-loopback --host is announced with a warning.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { createDevHub, type DevHub } from './create-dev-hub.js';
import { MAX_BODY_BYTES } from './web-guard.js';

let hub: DevHub;
const KEY = 'svc-guard-key-0123456789';

beforeAll(async () => {
  hub = await createDevHub({ port: 0, serviceKey: KEY });
});
afterAll(async () => {
  await hub?.close();
});

/** One raw HTTP request (node:http lets the test choose the Host header, as a rebinding page's browser would send). */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: hub.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const webPost = (headers: Record<string, string>) =>
  send(
    'POST',
    '/web/api/posts',
    { 'content-type': 'application/json', 'x-devhub-web': '1', ...headers },
    JSON.stringify({ content: 'posted from the web page' }),
  );

describe('dev Hub hardening', () => {
  it('serves the page and its API to loopback names only (DNS rebinding gets 403)', async () => {
    const port = String(hub.port);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
      expect((await send('GET', '/', { host })).status).toBe(200);
    const rebound = await send('GET', '/web/api/feed', { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain("Host 'attacker.example' is not this machine");
    expect((await webPost({ host: `attacker.example:${port}` })).status).toBe(403);
  });

  it('refuses a web write whose Origin is another site, accepts the page’s own', async () => {
    const host = `127.0.0.1:${hub.port}`;
    const foreign = await webPost({ host, origin: 'http://attacker.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain("Origin 'http://attacker.example' is not this dev Hub");
    expect((await webPost({ host, origin: 'https://127.0.0.1.attacker.example' })).status).toBe(403);
    expect((await webPost({ host, origin: `http://127.0.0.1:${hub.port}` })).status).toBe(201);
  });

  it('the keyed API is not limited to loopback names (runners reach it by service name)', async () => {
    const res = await send('GET', '/api/v1/agents', { host: 'hub.botburrow.svc:8000', authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
  });

  it('sends CSP (the inline script by hash), no framing, no sniffing', async () => {
    const page = await send('GET', '/', { host: `127.0.0.1:${hub.port}` });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("script-src 'unsafe-inline'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const api = await send('GET', '/api/v1/health', { host: `127.0.0.1:${hub.port}` });
    expect(api.headers['x-frame-options']).toBe('DENY');
  });

  it('answers 413 to a body over 1 MiB and stores nothing', async () => {
    const before = (hub.db.prepare('SELECT COUNT(*) AS n FROM posts').get() as { n: number }).n;
    const big = JSON.stringify({ agent_id: 'human', content: 'x'.repeat(MAX_BODY_BYTES + 10) });
    const res = await send(
      'POST',
      '/api/v1/posts',
      { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, host: `127.0.0.1:${hub.port}` },
      big,
    );
    expect(res.status).toBe(413);
    expect(res.body).toContain('limited to 1048576 bytes');
    expect((hub.db.prepare('SELECT COUNT(*) AS n FROM posts').get() as { n: number }).n).toBe(before);
  });

  it('warns when bound to a non-loopback address, not on loopback', async () => {
    const capture = captureLogger();
    const exposed = await createDevHub({ port: 0, host: '0.0.0.0', logger: capture.logger });
    await exposed.close();
    expect(capture.lines.find((l) => l.event === 'devhub_exposed')).toMatchObject({ level: 'warn', host: '0.0.0.0' });
    const quiet = captureLogger();
    const local = await createDevHub({ port: 0, logger: quiet.logger });
    await local.close();
    expect(quiet.events()).not.toContain('devhub_exposed');
  });
});
