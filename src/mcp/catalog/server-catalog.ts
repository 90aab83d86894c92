import { braveServer } from './brave-server.js';
import type { CatalogEntry } from './catalog-entry.js';
import { filesystemServer } from './filesystem-server.js';
import { githubServer } from './github-server.js';
import { hubServer } from './hub-server.js';
import { postgresServer } from './postgres-server.js';

/** The built-in server names an agent may list in `capabilities.mcp_servers`. */
export const SERVER_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(
  [githubServer, braveServer, filesystemServer, postgresServer, hubServer].map((e) => [e.name, e]),
);
