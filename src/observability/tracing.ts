import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { redactUrl } from '../shared/redact-url.js';
import type { Logger } from './logger.js';
import { secretRedactor } from './redaction.js';
import { tracingSettingsFromEnv, type TracingRole, type TracingSettings } from './tracing-settings.js';

/** Instrumentation scope of every span the runtime makes. */
export const TRACER_NAME = 'botburrow-agents';

/** What {@link startTracing} returns: whether spans are exported, and how to flush them at shutdown. */
export interface Tracing {
  readonly enabled: boolean;
  readonly settings?: TracingSettings;
  /** Export what is buffered and stop; safe to call twice. */
  shutdown(): Promise<void>;
}

/** Seams for tests. */
export interface TracingOptions {
  /** @default an OTLP/HTTP exporter for `settings.protocol` */
  createExporter?: (settings: TracingSettings) => SpanExporter;
}

/** What instrumented code asks while tracing runs: content capture and the redaction it goes through. */
interface ActiveTracing {
  capture: boolean;
  redact: (text: string) => string;
  /** The provider's tracer, looked up once (not per span). */
  tracer: Tracer;
}

let active: ActiveTracing | undefined;

const DISABLED: Tracing = { enabled: false, shutdown: () => Promise.resolve() };

/** The default exporter: OTLP over HTTP, protobuf or JSON, to the settings' traces URL with their headers. */
export function createOtlpExporter(settings: TracingSettings): SpanExporter {
  const config = { url: settings.tracesUrl, headers: settings.headers };
  return settings.protocol === 'http/json' ? new OtlpJsonExporter(config) : new OtlpProtoExporter(config);
}

function samplerFor(settings: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Start tracing for this process from the OTEL_* variables of `env`. Without an endpoint nothing is created (no
 * provider, no exporter): the @opentelemetry/api no-op tracer stays, and every span helper costs a function call.
 * With one, a NodeTracerProvider is registered globally (W3C trace context, AsyncLocalStorage context) with a batch
 * processor exporting OTLP/HTTP.
 * @throws ConfigError for a malformed OTEL_* value
 */
export function startTracing(role: TracingRole, env: NodeJS.ProcessEnv, options: TracingOptions = {}): Tracing {
  const settings = tracingSettingsFromEnv(env, role);
  if (!settings) return DISABLED;
  const exporter = (options.createExporter ?? createOtlpExporter)(settings);
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...settings.resourceAttributes, [ATTR_SERVICE_NAME]: settings.serviceName }),
  );
  const provider = new NodeTracerProvider({
    resource,
    sampler: samplerFor(settings),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  active = {
    capture: settings.captureMessageContent,
    redact: secretRedactor(env),
    tracer: provider.getTracer(TRACER_NAME),
  };
  let done: Promise<void> | undefined;
  return {
    enabled: true,
    settings,
    shutdown() {
      // A collector that cannot take the last spans must not turn a clean shutdown into a failed one.
      done ??= provider
        .shutdown()
        .catch(() => undefined)
        .finally(() => {
          active = undefined;
          trace.disable();
          context.disable();
          propagation.disable();
        });
      return done;
    },
  };
}

/** {@link startTracing} for a service process, logging `tracing_enabled` (endpoint, protocol, service name) when on. */
export function startProcessTracing(role: TracingRole, env: NodeJS.ProcessEnv, logger: Logger): Tracing {
  const tracing = startTracing(role, env);
  if (tracing.settings)
    logger.info('tracing_enabled', {
      endpoint: redactUrl(tracing.settings.tracesUrl),
      protocol: tracing.settings.protocol,
      service_name: tracing.settings.serviceName,
      sampler: tracing.settings.sampler,
      capture_message_content: tracing.settings.captureMessageContent,
    });
  return tracing;
}

/** True while an exporting provider is registered (instrumentation skips optional work otherwise). */
export function tracingEnabled(): boolean {
  return active !== undefined;
}

/**
 * Message content for a span attribute, or undefined unless OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true;
 * always passed through the secret redaction. `build` runs only when content is captured.
 */
export function capturedContent(build: () => unknown): string | undefined {
  if (!active?.capture) return undefined;
  const value = build();
  return active.redact(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The runtime's tracer: the registered provider's, or the API no-op one while tracing is off. */
export function tracer(): Tracer {
  return active?.tracer ?? trace.getTracer(TRACER_NAME);
}

/** Spans {@link failSpan} classified: {@link inSpan} leaves their status alone. */
const failed = new WeakSet<Span>();

/** Mark a span failed: status ERROR with `reason` (a classified failure: `timeout: ...`), `error.type` = `type`. */
export function failSpan(span: Span, type: string, reason: string): void {
  failed.add(span);
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: active ? active.redact(reason) : reason });
}

/** An error's class or code, for `error.type`. */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'error';
}

/**
 * Run `fn` inside a new active span (child of `parent`, default the active context) and end it. A throw marks the
 * span failed (ERROR, `error.type`, the message) unless `onError` classified it already, and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      if (!failed.has(span)) failSpan(span, errorType(error), error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** True when the active context holds a span (spans of plumbing, such as Hub HTTP calls, are made only then). */
export function inTrace(): boolean {
  return trace.getSpan(context.active())?.isRecording() === true;
}

/** The W3C `traceparent` of `ctx` (default: the active context), or undefined when tracing is off. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a `traceparent` (from a work item) continues; the root context without one. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** Attributes without undefined values (a span attribute cannot be undefined). */
export function definedAttributes(attrs: Record<string, Attributes[string]>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}
