import { z } from 'zod';
import { ConfigError } from '../shared/errors.js';

/** The process that traces: it names the default `service.name`. */
export type TracingRole = 'coordinator' | 'runner' | 'dev';

/** `OTEL_EXPORTER_OTLP_PROTOCOL` values the runtime can export with. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** `OTEL_TRACES_SAMPLER` values (the spec's built-in samplers). */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Tracing as configured by the standard OTEL_* variables; undefined from {@link tracingSettingsFromEnv} = off. */
export interface TracingSettings {
  /** Where spans are POSTed: the traces endpoint as given, or `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  tracesUrl: string;
  protocol: OtlpProtocol;
  serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES`, decoded. */
  resourceAttributes: Record<string, string>;
  /** `OTEL_EXPORTER_OTLP_HEADERS`, decoded (secret: an `Authorization` header, often). */
  headers: Record<string, string>;
  sampler: SamplerName;
  /** Ratio of the `traceidratio` samplers, 0..1. */
  samplerRatio: number;
  /** `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`: prompts, completions and tool arguments on spans. */
  captureMessageContent: boolean;
}

/** Default `service.name` by process role. */
export const DEFAULT_SERVICE_NAMES: Record<TracingRole, string> = {
  coordinator: 'botburrow-coordinator',
  runner: 'botburrow-runner',
  dev: 'botburrow-dev',
};

const url = z.string().refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'not an http(s) URL');

/**
 * `k1=v1,k2=v2` (W3C baggage-like, values percent-encoded) as used by OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_EXPORTER_OTLP_HEADERS. A pair without `=` or with an empty key is a problem, not silently dropped.
 */
function parsePairs(name: string, raw: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!key) {
      problems.push(`${name}: "${part.trim().slice(0, 40)}" is not key=value (e.g. ${name}=k1=v1,k2=v2)`);
      continue;
    }
    try {
      out[key] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      problems.push(`${name}: the value of ${key} is not valid percent-encoding`);
    }
  }
  return out;
}

const value = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name]?.trim() || undefined;

/**
 * Read the OTEL_* variables (documented in src/config/env-vars.ts). Tracing is on when
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * @returns undefined when tracing is off
 * @throws ConfigError naming each bad variable and what it should look like
 */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv, role: TracingRole): TracingSettings | undefined {
  const tracesEndpoint = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!tracesEndpoint && !endpoint) return undefined;
  const problems: string[] = [];
  const check = (name: string, raw: string | undefined): void => {
    if (raw !== undefined && !url.safeParse(raw).success)
      problems.push(`${name} must be an http(s) URL such as http://otel-collector:4318, got ${raw}`);
  };
  check('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint);
  check('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint);
  const protocol = value(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json')
    problems.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not supported), got ${protocol}`,
    );
  const sampler = (value(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(sampler))
    problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join('|')}, got ${sampler}`);
  const ratioRaw = value(env, 'OTEL_TRACES_SAMPLER_ARG');
  const ratio = ratioRaw === undefined ? 1 : Number(ratioRaw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    problems.push(`OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1 (e.g. 0.1), got ${ratioRaw}`);
  const capture = (value(env, 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') ?? 'false').toLowerCase();
  if (capture !== 'true' && capture !== 'false')
    problems.push(`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT must be true or false, got ${capture}`);
  const resourceAttributes = parsePairs(
    'OTEL_RESOURCE_ATTRIBUTES',
    value(env, 'OTEL_RESOURCE_ATTRIBUTES') ?? '',
    problems,
  );
  const headers = parsePairs('OTEL_EXPORTER_OTLP_HEADERS', value(env, 'OTEL_EXPORTER_OTLP_HEADERS') ?? '', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    tracesUrl: tracesEndpoint ?? `${endpoint!.replace(/\/+$/, '')}/v1/traces`,
    protocol: protocol as OtlpProtocol,
    serviceName: value(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? DEFAULT_SERVICE_NAMES[role],
    resourceAttributes,
    headers,
    sampler: sampler as SamplerName,
    samplerRatio: ratio,
    captureMessageContent: capture === 'true',
  };
}
