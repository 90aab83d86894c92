import { resolve } from 'node:path';
import { ownCliCommand } from '../own-server-command.js';
import type { CatalogEntry } from './catalog-entry.js';
import { credentialsMissing, notGranted, stdioItem } from './catalog-entry.js';

/**
 * `hub`: our own server (`botburrow-agents mcp hub --agent NAME --grants ...`), acting as the agent through the
 * runner's Hub URL and key. For CLI executors: native agents get the Hub tools in-process instead.
 */
export const hubServer: CatalogEntry = {
  name: 'hub',
  grants: 'hub:read|write',
  backedBy: 'own server (src/mcp/servers/hub-mcp-server.ts, `botburrow-agents mcp hub`)',
  plan(ctx) {
    const granted = ['hub:read', 'hub:write'].filter((g) => ctx.grants.has(g));
    if (granted.length === 0) return [notGranted('hub', 'hub:read|write')];
    const grant = granted.at(-1)!;
    const url = ctx.env.HUB_URL;
    const key = ctx.env.HUB_API_KEY;
    if (!url) return [credentialsMissing('hub', grant, 'HUB_URL')];
    if (!key) return [credentialsMissing('hub', grant, 'HUB_API_KEY')];
    const { command, args } = ownCliCommand();
    const defs = resolve(ctx.env.AGENT_DEFINITIONS_PATH ?? './agent-definitions');
    return [
      stdioItem(ctx, {
        name: 'hub',
        source: 'hub',
        command,
        args: [...args, 'mcp', 'hub', '--agent', ctx.agent, '--grants', granted.join(',')],
        env: { HUB_URL: url, HUB_API_KEY: key, AGENT_DEFINITIONS_PATH: defs },
        secrets: [key],
        network: 'services', // the Hub
        readOnlyPaths: [defs],
        toolGrant: (tool) => (tool === 'hub_create_post' || tool === 'hub_reply' ? 'hub:write' : undefined),
      }),
    ];
  },
};
