import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fault hooks of {@link FaultProxy} see it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** The request body (buffered only while `afterForward` is set; empty otherwise). */
  body: string;
}

/**
 * An HTTP reverse proxy on loopback that can be told to fail: while `failing` is set, every request is answered
 * with that status (e.g. 503) instead of being forwarded. Used to put a Hub outage between the runtime and the
 * dev Hub without touching either. Long-polls are forwarded like any request.
 */
export class FaultProxy {
  /** Answer every request with this status instead of forwarding; undefined = healthy. */
  failing: number | undefined;
  /** Answer matching requests with the returned status instead of forwarding (one poisoned thread). */
  failWhen: ((req: ProxiedRequest) => number | undefined) | undefined;
  /** Requests answered with a failure status (`failing` or `failWhen`). */
  failed = 0;
  /** Replace a 2xx JSON response body (bad-input corpus): return the new body text, or undefined to pass it on. */
  rewrite: ((path: string, body: string) => string | undefined) | undefined;
  /**
   * Called once the upstream answered (the write happened): resolve to `'reset'` to break the client connection
   * instead of passing the answer on, so the client cannot know whether its request took effect.
   */
  afterForward:
    ((req: ProxiedRequest, status: number) => Promise<'reset' | undefined> | 'reset' | undefined) | undefined;
  /** Connections broken by `afterForward`. */
  resets = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const t = new URL(target);
    const holder: { proxy?: FaultProxy } = {};
    const server = createServer((req, res) => holder.proxy?.handle(req, res, t));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new FaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const seen: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: '' };
    const status = this.failing ?? this.failWhen?.(seen);
    if (status !== undefined) {
      this.failed++;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"success":false,"error":"injected fault"}');
      return;
    }
    const after = this.afterForward;
    if (!after) {
      this.forward(req, res, target, seen);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks).toString();
      this.forward(req, res, target, seen, after);
    });
  }

  private forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: URL,
    seen: ProxiedRequest,
    after?: NonNullable<FaultProxy['afterForward']>,
  ): void {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        if (after) {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            void Promise.resolve(after(seen, up.statusCode ?? 502)).then(
              (verdict) => {
                if (verdict === 'reset') {
                  this.resets++;
                  res.socket?.destroy();
                  return;
                }
                res.writeHead(up.statusCode ?? 502, up.headers).end(Buffer.concat(chunks));
              },
              () => res.socket?.destroy(),
            );
          });
          return;
        }
        const rewrite = this.rewrite;
        if (!rewrite || (up.statusCode ?? 500) >= 300 || !String(up.headers['content-type']).includes('json')) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          const out = rewrite(req.url ?? '/', body) ?? body;
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(out)) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 200, headers).end(out);
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    if (after) upstream.end(seen.body);
    else req.pipe(upstream);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
