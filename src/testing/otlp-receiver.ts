import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The package's own protobuf reader (its public API decodes export *responses* only; a request needs the reader).
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader.js';
import { waitFor } from './wait-for.js';

/** An attribute value as received (int64 as number, arrays as arrays). */
export type ReceivedValue = string | number | boolean | ReceivedValue[] | undefined;

/** One span as an OTLP receiver sees it, protobuf and JSON alike (ids in lowercase hex). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, ReceivedValue>;
  events: { name: string; attributes: Record<string, ReceivedValue> }[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  /** `service.name` of the resource that sent it. */
  service: string;
  resource: Record<string, ReceivedValue>;
  /** How it arrived. */
  encoding: 'protobuf' | 'json';
}

/**
 * A tiny OTLP/HTTP trace receiver on loopback (`POST /v1/traces`, `application/x-protobuf` or `application/json`),
 * keeping every span it was sent. Tests point OTEL_EXPORTER_OTLP_ENDPOINT at {@link url}.
 */
export class OtlpReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly spans: ReceivedSpan[],
    /** Requests that could not be decoded (a test should expect none). */
    readonly errors: string[],
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const spans: ReceivedSpan[] = [];
    const errors: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        const json = (req.headers['content-type'] ?? '').includes('json');
        try {
          spans.push(...(json ? decodeJson(body.toString('utf8')) : decodeProtobuf(body)));
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
          res.writeHead(400).end();
          return;
        }
        // An empty ExportTraceServiceResponse: full success.
        if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new OtlpReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, errors);
  }

  /** Wait until a span matches. */
  waitForSpan(match: (s: ReceivedSpan) => boolean, timeoutMs = 30_000): Promise<ReceivedSpan> {
    return waitFor(() => this.spans.find(match), {
      timeoutMs,
      message: `no such span; received: ${this.spans.map((s) => `${s.service}:${s.name}`).join(', ')}`,
    });
  }

  /** Spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// --- protobuf (opentelemetry/proto trace/v1, common/v1, resource/v1) ---

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Fields of one message: field number → raw values (a varint number, or the bytes of a length-delimited field). */
function fields(buf: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const r = new ProtobufReader(buf);
  const out = new Map<number, (number | Uint8Array)[]>();
  const add = (n: number, v: number | Uint8Array): void => void out.set(n, [...(out.get(n) ?? []), v]);
  while (!r.isAtEnd()) {
    const { fieldNumber, wireType } = r.readTag();
    if (wireType === 0) add(fieldNumber, r.readVarint());
    else if (wireType === 2) add(fieldNumber, r.readBytes());
    else if (wireType === 1) {
      add(fieldNumber, buf.slice(r.pos, r.pos + 8));
      r.pos += 8;
    } else if (wireType === 5) {
      add(fieldNumber, buf.slice(r.pos, r.pos + 4));
      r.pos += 4;
    } else r.skip(wireType);
  }
  return out;
}

const bytesOf = (f: Map<number, (number | Uint8Array)[]>, n: number): Uint8Array[] =>
  (f.get(n) ?? []).filter((v): v is Uint8Array => v instanceof Uint8Array);
const text = (f: Map<number, (number | Uint8Array)[]>, n: number): string => {
  const b = bytesOf(f, n)[0];
  return b ? new TextDecoder().decode(b) : '';
};
const num = (f: Map<number, (number | Uint8Array)[]>, n: number): number => {
  const v = f.get(n)?.[0];
  return typeof v === 'number' ? v : 0;
};

function anyValue(buf: Uint8Array): ReceivedValue {
  const f = fields(buf);
  if (f.has(1)) return text(f, 1);
  if (f.has(2)) return num(f, 2) !== 0;
  if (f.has(3)) return num(f, 3);
  if (f.has(4)) return Buffer.from(bytesOf(f, 4)[0]!).readDoubleLE(0);
  if (f.has(5)) return bytesOf(fields(bytesOf(f, 5)[0]!), 1).map(anyValue);
  return undefined;
}

function keyValues(list: Uint8Array[]): Record<string, ReceivedValue> {
  const out: Record<string, ReceivedValue> = {};
  for (const kv of list) {
    const f = fields(kv);
    const value = bytesOf(f, 2)[0];
    out[text(f, 1)] = value ? anyValue(value) : undefined;
  }
  return out;
}

/** An ExportTraceServiceRequest. */
function decodeProtobuf(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of bytesOf(fields(body), 1)) {
    const rsf = fields(rs);
    const res = bytesOf(rsf, 1)[0];
    const resource = res ? keyValues(bytesOf(fields(res), 1)) : {};
    for (const ss of bytesOf(rsf, 2)) {
      for (const sp of bytesOf(fields(ss), 2)) {
        const f = fields(sp);
        const status = bytesOf(f, 15)[0];
        const sf = status ? fields(status) : new Map<number, (number | Uint8Array)[]>();
        spans.push({
          traceId: hex(bytesOf(f, 1)[0] ?? new Uint8Array()),
          spanId: hex(bytesOf(f, 2)[0] ?? new Uint8Array()),
          parentSpanId: hex(bytesOf(f, 4)[0] ?? new Uint8Array()),
          name: text(f, 5),
          kind: num(f, 6),
          attributes: keyValues(bytesOf(f, 9)),
          events: bytesOf(f, 11).map((e) => {
            const ef = fields(e);
            return { name: text(ef, 2), attributes: keyValues(bytesOf(ef, 3)) };
          }),
          status: { code: num(sf, 3), message: text(sf, 2) },
          service: String(resource['service.name'] ?? ''),
          resource,
          encoding: 'protobuf',
        });
      }
    }
  }
  return spans;
}

// --- JSON (the OTLP/JSON mapping: hex ids, camelCase fields, int64 as strings) ---

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}

function jsonValue(v: JsonAnyValue | undefined): ReceivedValue {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

const jsonAttributes = (list: JsonKeyValue[] | undefined): Record<string, ReceivedValue> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

function decodeJson(body: string): ReceivedSpan[] {
  const req = JSON.parse(body) as {
    resourceSpans?: {
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: {
        spans?: {
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind?: number;
          attributes?: JsonKeyValue[];
          events?: { name: string; attributes?: JsonKeyValue[] }[];
          status?: { code?: number; message?: string };
        }[];
      }[];
    }[];
  };
  return (req.resourceSpans ?? []).flatMap((rs) => {
    const resource = jsonAttributes(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s): ReceivedSpan => ({
        traceId: s.traceId.toLowerCase(),
        spanId: s.spanId.toLowerCase(),
        parentSpanId: (s.parentSpanId ?? '').toLowerCase(),
        name: s.name,
        kind: s.kind ?? 0,
        attributes: jsonAttributes(s.attributes),
        events: (s.events ?? []).map((e) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
        status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
        service: String(resource['service.name'] ?? ''),
        resource,
        encoding: 'json',
      })),
    );
  });
}
