import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpsApp } from './ops-app.js';

/** A listening HTTP server and how to stop it. */
export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serve `app` on `port` (0 = any free port) on `hostname` (default all interfaces, as a pod needs). */
export function listen(app: OpsApp, port: number, hostname = '0.0.0.0'): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    app.request(req.url ?? '/', method).then(
      (reply) => {
        res.writeHead(reply.status, {
          'content-type': reply.contentType,
          'content-length': Buffer.byteLength(reply.body),
        });
        res.end(method === 'HEAD' ? undefined : reply.body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=UTF-8' });
        res.end(`500 ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      const info = server.address() as AddressInfo;
      const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
      resolve({
        port: info.port,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
