import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request the scripted server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One scripted reaction; gets the request and the response to write (or not). */
export type ScriptStep = (req: RecordedRequest, res: ServerResponse) => void;

/** Answer with JSON. */
export function reply(status: number, body: unknown, headers: Record<string, string> = {}): ScriptStep {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

/** Destroy the socket without answering (the client sees a connection reset). */
export function destroySocket(): ScriptStep {
  return (_req, res) => {
    res.socket?.destroy();
  };
}

/** Never answer (until the server closes). */
export function hang(): ScriptStep {
  return () => undefined;
}

/**
 * A real loopback HTTP server that answers requests with scripted steps in order, recording each request.
 * A request after the script ran out gets 599 and is recorded, so tests can assert on "no more calls".
 */
export async function startScriptedServer(steps: ScriptStep[]): Promise<{
  url: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const queue = [...steps];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      const step = queue.shift() ?? reply(599, { error: 'script exhausted' });
      step(recorded, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
