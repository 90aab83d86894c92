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
});
