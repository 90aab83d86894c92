/**
 * What an MCP server needs to reach over the network, decided per server by its catalog entry (or, for a custom
 * server, by `network: true` in its `capabilities.mcp_servers` entry):
 * - `none`: nothing; a network namespace with only its own loopback (`filesystem`; custom servers by default);
 * - `services`: the runtime's own services, the Hub or a database (our `hub` and `postgres-<db>` servers);
 * - `internet`: public APIs (`github`: api.github.com, `brave`: api.search.brave.com; a custom server with
 *   `network: true`).
 */
export type ServerNetwork = 'none' | 'services' | 'internet';

/**
 * Whether a server's sandbox gets network: everything but `none` runs in the runner's network namespace (bwrap
 * `--share-net`, and HTTP(S)_PROXY/NO_PROXY are passed through). The one place the MCP layer turns a server's need
 * into a sandbox setting.
 *
 * TODO(issue 16, egress proxy, branch i16-egress): `internet` servers should reach only their own API hosts through
 * the egress proxy and `services` servers only the Hub / their database, instead of the whole network they get
 * here; plug the proxy in at this function (and `SandboxSpawnCommand.network`).
 */
export function sandboxNetworkFor(need: ServerNetwork): boolean {
  return need !== 'none';
}
