import {
  createServer,
  request as httpRequest,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../observability/logger.js';
import {
  decideEgress,
  parseConnectTarget,
  parseHttpTarget,
  systemLookup,
  type EgressLookup,
  type EgressTarget,
} from './egress-decision.js';
import { compileEgressPolicy, type EgressPolicy, type HostFilter } from './egress-policy.js';

/** Bounds of one proxy. */
export interface EgressProxyLimits {
  /** Client connections open at once (tunnels included); more are closed at accept. */
  maxConnections: number;
  /** Resolving a host name. */
  dnsTimeoutMs: number;
  /** Opening the TCP connection to one vetted address. */
  connectTimeoutMs: number;
  /** A tunnel or forwarded request with no traffic in either direction for this long is closed. */
  idleTimeoutMs: number;
  /** Receiving a request head from the client. */
  headersTimeoutMs: number;
}

export const DEFAULT_EGRESS_LIMITS: EgressProxyLimits = {
  maxConnections: 128,
  dnsTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  headersTimeoutMs: 15_000,
};

/** Opens a TCP connection to a vetted IP address (not a host name). */
export type EgressDial = (address: string, port: number) => Socket;

export interface EgressProxyOptions {
  /** The unix socket to listen on (it must not exist yet). */
  socketPath: string;
  policy: EgressPolicy;
  logger: Logger;
  /** Host name resolution. @default dns.promises.lookup with all: true */
  lookup?: EgressLookup;
  /**
   * How the TCP connection to a vetted address is opened. @default net.connect({ host: address, port }).
   * A seam for tests (no internet there): the address it receives has passed every check.
   */
  dial?: EgressDial;
  limits?: Partial<EgressProxyLimits>;
}

export interface EgressProxy {
  readonly socketPath: string;
  /** Stop listening and cut every open connection and tunnel. Idempotent. */
  close(): Promise<void>;
}

interface ProxyContext {
  filter: HostFilter;
  lookup: EgressLookup;
  dial: EgressDial;
  limits: EgressProxyLimits;
  logger: Logger;
  /** Every live socket (client and upstream), cut by close(). */
  sockets: Set<Duplex>;
}

const tcpDial: EgressDial = (address, port) => netConnect({ host: address, port });

/** Headers that belong to one hop (RFC 9110 §7.6.1) and never cross the proxy, plus the proxy's own. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = String(headers.connection ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !listed.includes(name)) out[name] = value;
  }
  return out;
}

function track(context: ProxyContext, socket: Duplex): void {
  context.sockets.add(socket);
  socket.once('close', () => context.sockets.delete(socket));
}

/** Answer a CONNECT (raw socket) with an error status and a one-line text body, then close. */
function refuseRaw(socket: Duplex, status: number, body: string): void {
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\n`;
  socket.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function reply(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function connectOne(context: ProxyContext, address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = context.dial(address, port);
    track(context, socket);
    const timeoutError = Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' });
    const timer = setTimeout(() => fail(timeoutError), context.limits.connectTimeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', fail);
      socket.on('error', () => socket.destroy());
      resolve(socket);
    });
  });
}

/** Connect to the first vetted address that answers (e.g. IPv4 when the pod has no IPv6 route). */
async function connectFirst(
  context: ProxyContext,
  addresses: readonly string[],
  port: number,
): Promise<{ socket: Socket; address: string }> {
  let lastError: unknown = new Error('no address');
  for (const address of addresses) {
    try {
      return { socket: await connectOne(context, address, port), address };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Decide and connect; on refusal or failure, log and answer through `refuse`. Resolves with the upstream socket
 * when the request may proceed.
 */
async function open(
  context: ProxyContext,
  target: EgressTarget,
  method: string,
  refuse: (status: number, body: string) => void,
): Promise<Socket | undefined> {
  const { logger } = context;
  const fields = { host: target.host, port: target.port, method };
  const decision = await decideEgress(target, { ...context, dnsTimeoutMs: context.limits.dnsTimeoutMs });
  if (!decision.ok) {
    if (decision.reason === 'dns_failed')
      logger.info('egress_failed', { ...fields, reason: decision.reason, ...decision.detail });
    else logger.warn('egress_denied', { ...fields, reason: decision.reason, ...decision.detail });
    refuse(decision.status, decision.message);
    return undefined;
  }
  try {
    const { socket, address } = await connectFirst(context, decision.addresses, target.port);
    logger.debug('egress_allowed', { ...fields, address });
    return socket;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    logger.info('egress_failed', { ...fields, reason: 'connect_failed', error: code });
    refuse(
      code === 'ETIMEDOUT' ? 504 : 502,
      `botburrow egress proxy: could not connect to ${target.host}:${target.port} (${code})\n`,
    );
    return undefined;
  }
}

/** `CONNECT host:port`: vet, connect, answer 200 and splice the two sockets until either side closes or idles. */
async function handleConnect(context: ProxyContext, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  client.on('error', () => client.destroy());
  const target = parseConnectTarget(req.url ?? '');
  if (!target) {
    context.logger.warn('egress_denied', { target: req.url, method: 'CONNECT', reason: 'malformed_target' });
    refuseRaw(
      client,
      400,
      `botburrow egress proxy: malformed CONNECT target ${JSON.stringify(req.url)}; use host:port\n`,
    );
    return;
  }
  const upstream = await open(context, target, 'CONNECT', (status, body) => refuseRaw(client, status, body));
  if (!upstream) return;
  if (client.destroyed) {
    upstream.destroy();
    return;
  }
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length > 0) upstream.write(head);
  upstream.setTimeout(context.limits.idleTimeoutMs, () => upstream.destroy());
  upstream.once('close', () => client.destroy());
  client.once('close', () => upstream.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
}

/** Absolute-form `GET http://host/path`: vet, connect to the vetted address, forward, stream the answer back. */
async function handleHttp(context: ProxyContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = parseHttpTarget(req.url ?? '');
  if ('problem' in parsed) {
    context.logger.warn('egress_denied', { target: req.url, method: req.method, reason: 'malformed_target' });
    reply(res, 400, `botburrow egress proxy: ${parsed.problem}\n`);
    return;
  }
  const upstream = await open(context, parsed.target, req.method ?? 'GET', (status, body) => reply(res, status, body));
  if (!upstream) return;
  upstream.setTimeout(context.limits.idleTimeoutMs, () => upstream.destroy());
  const outgoing = httpRequest({
    createConnection: () => upstream,
    method: req.method,
    path: parsed.path,
    headers: { ...endToEnd(req.headers), host: parsed.hostHeader },
    setHost: false,
  });
  outgoing.on('response', (incoming) => {
    res.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
    incoming.pipe(res);
    incoming.on('error', () => res.destroy());
  });
  outgoing.on('error', (error: NodeJS.ErrnoException) =>
    reply(res, 502, `botburrow egress proxy: ${parsed.target.host} failed (${error.code ?? error.message})\n`),
  );
  res.once('close', () => {
    outgoing.destroy();
    upstream.destroy();
  });
  req.pipe(outgoing);
}

/**
 * Start the sandbox's egress proxy: an HTTP proxy on the unix socket `socketPath` that tunnels `CONNECT host:port`
 * and forwards absolute-form plain HTTP requests, but only to hosts `policy` allows and only when every address the
 * host resolves to is public (no loopback, private, link-local, metadata, CGNAT, multicast or reserved address; IP
 * literal hosts likewise). It connects to the vetted address itself, so nothing is resolved twice. Refusals answer
 * 403 with a one-line reason and log `egress_denied` (warn); allowed connections log `egress_allowed` (debug).
 * @throws TypeError when `policy` holds an invalid pattern; the listen error when the socket cannot be created
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const limits = { ...DEFAULT_EGRESS_LIMITS, ...options.limits };
  const context: ProxyContext = {
    filter: compileEgressPolicy(options.policy),
    lookup: options.lookup ?? systemLookup,
    dial: options.dial ?? tcpDial,
    limits,
    logger: options.logger,
    sockets: new Set(),
  };
  const server = createServer({ headersTimeout: limits.headersTimeoutMs, requestTimeout: 0 });
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => options.logger.warn('egress_connection_dropped', { max_connections: limits.maxConnections }));
  server.on('connection', (socket: Socket) => track(context, socket));
  const failed = (socket: Duplex) => (error: unknown) => {
    options.logger.error('egress_proxy_error', { error });
    socket.destroy();
  };
  server.on('request', (req, res) => void handleHttp(context, req, res).catch(failed(res.socket ?? req.socket)));
  server.on('connect', (req, socket, head) => void handleConnect(context, req, socket, head).catch(failed(socket)));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of context.sockets) socket.destroy();
      });
      return closed;
    },
  };
}
