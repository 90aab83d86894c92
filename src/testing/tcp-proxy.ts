import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 for fault tests: forwards to `target` until `blackhole` is set, then silently drops
 * every byte in both directions while keeping the connections open (a network partition, not a reset);
 * `dropReply` loses one server reply and breaks the connection (what makes ioredis re-send a command); `muteReplies`
 * loses every reply while set.
 */
export class TcpProxy {
  blackhole = false;
  /** Swallow the next reply from the server and break that client connection (a reply lost in a reconnect). */
  dropReply = false;
  /** Swallow every server reply while set; requests still reach the server (it acts, the client never hears). */
  muteReplies = false;
  /** Client connections accepted so far (reconnects show as growth). */
  connections = 0;
  /** Replies swallowed by `dropReply`. */
  dropped = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => {
      proxy.connections++;
      const upstream = connect(targetPort, targetHost);
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          proxy.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (d) => void (proxy.blackhole || upstream.write(d)));
      upstream.on('data', (d) => {
        if (proxy.dropReply) {
          // The server answered, the client never hears it: the connection breaks instead.
          proxy.dropReply = false;
          proxy.dropped++;
          client.destroy();
          return;
        }
        if (!proxy.blackhole && !proxy.muteReplies) client.write(d);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
