import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A dependency-free Node script a sandboxed CLI launches as a stdio MCP server: it connects to the tool bridge's
 * unix socket, sends the token (read from a file) and a newline, then pipes stdin → socket and socket → stdout.
 * Usage: `node relay.mjs <socket path> <token file>`. It is written into the sandbox's runtime folder, so the CLI
 * needs nothing from this package (no node_modules, no credentials).
 */
export const STDIO_SOCKET_RELAY_SOURCE = `// botburrow stdio <-> unix socket MCP relay (generated; see src/mcp/stdio-socket-relay.ts)
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
const [socketPath, tokenFile] = process.argv.slice(2);
if (!socketPath || !tokenFile) {
  process.stderr.write('usage: relay.mjs <socket> <token-file>\\n');
  process.exit(2);
}
const token = readFileSync(tokenFile, 'utf8').trim();
const socket = connect(socketPath);
socket.on('connect', () => {
  socket.write(token + '\\n');
  process.stdin.pipe(socket);
  socket.pipe(process.stdout);
});
socket.on('error', (error) => {
  process.stderr.write('botburrow relay: ' + error.message + '\\n');
  process.exit(1);
});
socket.on('close', () => process.exit(0));
process.stdin.on('end', () => socket.end());
`;

/** File name of the relay script in the runtime folder. */
export const RELAY_FILE = 'mcp-relay.mjs';

/** Write the relay script into `dir`; returns its path. */
export async function writeStdioSocketRelay(dir: string): Promise<string> {
  const path = join(dir, RELAY_FILE);
  await writeFile(path, STDIO_SOCKET_RELAY_SOURCE, { mode: 0o444 });
  return path;
}
