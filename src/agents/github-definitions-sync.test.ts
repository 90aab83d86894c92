// GitHub mode against a fake GitHub (contents API + raw) on loopback: a sync writes agents and skills that
// FileAgentDefinitions loads and validates; the token is sent; a later sync swaps the snapshot; a failure names the
// URL and suggests git-sync and keeps the previous snapshot; requests go through HTTPS_PROXY/HTTP_PROXY when set
// (a CONNECT proxy records them) and around it for NO_PROXY hosts; resolveDefinitionsRoot prefers the local path.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAgentDefinitions } from '../testing/agent-fixtures.js';
import { FileAgentDefinitions } from './agent-definitions.js';
import { GitHubDefinitionsSync, resolveDefinitionsRoot } from './github-definitions-sync.js';
import { validateDefinitions } from './validate-definitions.js';

const CONFIG = (name: string, model = 'claude-sonnet-4-6') =>
  `name: ${name}\ntype: native\nbrain:\n  model: ${model}\ncapabilities:\n  skills: [summarize]\n`;
const SKILL = '---\nname: summarize\ndescription: Summarize a thread\n---\nSay it short.\n';

let files: Record<string, string> = {};
let failWith: number | undefined;
const requests: IncomingMessage[] = [];
let github: Server;
let proxy: Server;
const proxied: string[] = [];
let base: string;
let proxyUrl: string;

function listing(folder: string): string | undefined {
  const names = new Set(
    Object.keys(files)
      .filter((p) => p.startsWith(`${folder}/`))
      .map((p) => p.split('/')[1]!),
  );
  return names.size === 0 ? undefined : JSON.stringify([...names].map((name) => ({ name, type: 'dir' })));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  github = createServer((req, res) => {
    requests.push(req);
    const url = new URL(req.url!, 'http://x');
    if (failWith) return void res.writeHead(failWith).end('nope');
    const contents = /^\/api\/repos\/acme\/defs\/contents\/(\w+)$/.exec(url.pathname);
    const raw = /^\/raw\/acme\/defs\/main\/(.+)$/.exec(url.pathname);
    const body = contents ? listing(contents[1]!) : raw ? files[raw[1]!] : undefined;
    if (body === undefined) return void res.writeHead(404).end('{"message":"Not Found"}');
    res.writeHead(200).end(body);
  });
  base = await listen(github);
  proxy = createServer();
  proxy.on('connect', (req, client, head) => {
    proxied.push(req.url!);
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxyUrl = await listen(proxy);
});
afterAll(async () => {
  proxy.closeAllConnections();
  github.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await new Promise((r) => github.close(r));
});

const sync = (env: NodeJS.ProcessEnv = {}, cacheDir = mkdtempSync(join(tmpdir(), 'bb-gh-'))) =>
  new GitHubDefinitionsSync({
    repo: 'acme/defs',
    token: 'ghp_test_token',
    cacheDir,
    apiBaseUrl: `${base}/api`,
    rawBaseUrl: `${base}/raw`,
    env,
  });

describe('GitHubDefinitionsSync', () => {
  it('downloads agents and skills that FileAgentDefinitions loads and validates', async () => {
    files = {
      'agents/alpha/config.yaml': CONFIG('alpha'),
      'agents/alpha/system-prompt.md': 'You are alpha.',
      'skills/summarize/SKILL.md': SKILL,
    };
    requests.length = 0;
    const s = sync();
    const result = await s.sync();
    expect(result).toMatchObject({ agents: ['alpha'], skills: ['summarize'] });
    const defs = new FileAgentDefinitions({ root: result.root });
    expect(await defs.list()).toEqual(['alpha']);
    const alpha = await defs.load('alpha');
    expect(alpha.systemPrompt).toBe('You are alpha.');
    expect(alpha.skills.map((k) => k.name)).toEqual(['summarize']);
    expect((await validateDefinitions(result.root)).every((r) => r.ok)).toBe(true);
    expect(requests.every((r) => r.headers.authorization === 'Bearer ghp_test_token')).toBe(true);
    expect(requests.map((r) => r.url)).toContain('/api/repos/acme/defs/contents/agents?ref=main');
  });

  it('a later sync swaps the snapshot; a failed one names the URL, suggests git-sync and keeps the last one', async () => {
    const s = sync();
    files = { 'agents/alpha/config.yaml': CONFIG('alpha'), 'agents/alpha/system-prompt.md': 'v1' };
    await s.sync();
    files = {
      ...files,
      'agents/alpha/system-prompt.md': 'v2',
      'agents/beta/config.yaml': CONFIG('beta'),
      'agents/beta/system-prompt.md': 'b',
    };
    const second = await s.sync();
    expect(second.agents).toEqual(['alpha', 'beta']);
    expect(readFileSync(join(s.root, 'agents/alpha/system-prompt.md'), 'utf8')).toBe('v2');
    failWith = 503;
    try {
      await expect(s.sync()).rejects.toThrow(
        `Could not fetch agent definitions from ${base}/api/repos/acme/defs/contents/agents?ref=main: HTTP 503; if the pod cannot reach GitHub, use git-sync`,
      );
    } finally {
      failWith = undefined;
    }
    expect(await new FileAgentDefinitions({ root: s.root }).list()).toEqual(['alpha', 'beta']);
  });

  it('an unreachable GitHub names the URL', async () => {
    const s = new GitHubDefinitionsSync({
      repo: 'acme/defs',
      cacheDir: mkdtempSync(join(tmpdir(), 'bb-gh-')),
      apiBaseUrl: 'http://127.0.0.1:1',
    });
    await expect(s.sync()).rejects.toThrow(
      /Could not fetch agent definitions from http:\/\/127\.0\.0\.1:1\/repos\/acme\/defs\/contents\/agents\?ref=main: .*git-sync/,
    );
  });

  it('goes through HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    files = { 'agents/alpha/config.yaml': CONFIG('alpha'), 'agents/alpha/system-prompt.md': 'p' };
    proxied.length = 0;
    await sync({ HTTP_PROXY: proxyUrl }).sync();
    expect(proxied.length).toBeGreaterThan(0);
    expect(proxied[0]).toBe(new URL(base).host);
    proxied.length = 0;
    await sync({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }).sync();
    expect(proxied).toEqual([]);
  });
});

describe('resolveDefinitionsRoot', () => {
  it('uses the local path when it exists, GitHub mode when it does not and a repo is set', async () => {
    const local = writeAgentDefinitions([{ name: 'local-agent' }]);
    const env = { AGENT_DEFINITIONS_REPO: 'acme/defs' };
    const gh = {
      apiBaseUrl: `${base}/api`,
      rawBaseUrl: `${base}/raw`,
      cacheDir: mkdtempSync(join(tmpdir(), 'bb-gh-')),
    };
    expect(await resolveDefinitionsRoot({ path: local, env, ...gh })).toBe(local);
    expect(await resolveDefinitionsRoot({ path: '/nonexistent/defs', env: {}, ...gh })).toBe('/nonexistent/defs');
    files = { 'agents/alpha/config.yaml': CONFIG('alpha'), 'agents/alpha/system-prompt.md': 'p' };
    const root = await resolveDefinitionsRoot({ path: '/nonexistent/defs', env, ...gh });
    expect(root).toBe(join(gh.cacheDir, 'current'));
    expect(await new FileAgentDefinitions({ root }).list()).toEqual(['alpha']);
  });
});
