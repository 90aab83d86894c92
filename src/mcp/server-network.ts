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
 * Whether a server's sandbox shares the runner's network namespace (bwrap `--share-net`): only `services`, our own
 * `hub` and `postgres-<db>` servers, which must reach the Hub or a database on the private network. `internet`
 * servers get no network of their own: they reach public hosts only through an egress proxy over a loopback relay
 * (`SandboxStdioTransport`; their catalog hosts, or any public host for a custom server with `network: true`), never
 * a private, loopback or metadata address. The one place the MCP layer turns a server's need into a sandbox setting.
 */
export function sandboxNetworkFor(need: ServerNetwork): boolean {
  return need === 'services';
}
