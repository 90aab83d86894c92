// Covers paging of GET /agents?has_notifications=true: more agents than one page are all returned (dev Hub), and a
// Hub that ignores `offset` (scripted server answering the same page) does not make the client loop.
import { describe, expect, it } from 'vitest';
import { createDevHub } from '../devhub/create-dev-hub.js';
import { reply, startScriptedServer } from '../testing/scripted-http-server.js';
import { HttpHubClient, HUB_CLIENT_DEFAULTS } from './http-hub-client.js';

describe('listAgentsWithNotifications paging', () => {
  it('returns every agent with unread notifications, past the first page', async () => {
    const hub = await createDevHub({ port: 0 });
    try {
      const count = HUB_CLIENT_DEFAULTS.agentsPageSize + 7;
      const names = Array.from({ length: count }, (_, i) => `bot-${i}`);
      for (const name of names) hub.registerAgent({ name });
      const service = new HttpHubClient({ baseUrl: hub.url, apiKey: hub.keys.service });
      await service.createPost({ agentId: 'human', content: names.map((n) => `@${n}`).join(' ') });
      const agents = await service.listAgentsWithNotifications();
      expect(agents).toHaveLength(count);
      expect(new Set(agents.map((a) => a.id))).toEqual(new Set(names));
    } finally {
      await hub.close();
    }
  });

  it('stops when a Hub ignores offset and repeats the page', async () => {
    const page = {
      agents: Array.from({ length: HUB_CLIENT_DEFAULTS.agentsPageSize }, (_, i) => ({
        id: `a${i}`,
        name: `a${i}`,
        notification_count: 1,
      })),
    };
    const server = await startScriptedServer([reply(200, page), reply(200, page), reply(200, page)]);
    try {
      const client = new HttpHubClient({ baseUrl: server.url, apiKey: 'k' });
      expect(await client.listAgentsWithNotifications()).toHaveLength(HUB_CLIENT_DEFAULTS.agentsPageSize);
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('pages by cursor in id order: agents whose counts change between pages are neither skipped nor repeated', async () => {
    const hub = await createDevHub({ port: 0 });
    try {
      const count = 2 * HUB_CLIENT_DEFAULTS.agentsPageSize + 7;
      const names = Array.from({ length: count }, (_, i) => `bot-${String(i).padStart(4, '0')}`);
      for (const name of names) hub.registerAgent({ name });
      const human = new HttpHubClient({ baseUrl: hub.url, apiKey: hub.keys.service });
      await human.createPost({ agentId: 'human', content: names.map((n) => `@${n}`).join(' ') });
      let pages = 0;
      const bumping: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        // After the first page, the last 300 agents get a second notification (first in count order now).
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (url.includes('has_notifications') && ++pages === 1) {
          await human.createPost({
            agentId: 'human',
            content: names
              .slice(-300)
              .map((n) => `@${n}`)
              .join(' '),
          });
        }
        return res;
      };
      const service = new HttpHubClient({ baseUrl: hub.url, apiKey: hub.keys.service, fetch: bumping });
      const agents = await service.listAgentsWithNotifications();
      expect(agents.map((a) => a.id).sort()).toEqual(names);
      expect(pages).toBe(3);
      expect(agents[0]!.notification_count).toBe(2);
    } finally {
      await hub.close();
    }
  });

  it('pageStaleAgents walks every stale agent in staleness order, page by page', async () => {
    const hub = await createDevHub({ port: 0 });
    try {
      const names = Array.from({ length: 1_203 }, (_, i) => `st-${String(i).padStart(4, '0')}`);
      for (const name of names) hub.registerAgent({ name });
      const service = new HttpHubClient({ baseUrl: hub.url, apiKey: hub.keys.service });
      await service.markActivated('st-0000'); // activated: no longer stale with min_staleness 3600
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await service.pageStaleAgents(3600, { cursor, limit: 500 });
        seen.push(...page.agents.map((a) => a.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen.filter((id) => id.startsWith('st-'))).toEqual(names.slice(1));
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await hub.close();
    }
  });
});
