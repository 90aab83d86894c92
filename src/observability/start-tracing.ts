import { context, propagation, trace } from '@opentelemetry/api';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactUrl } from '../shared/redact-url.js';
import type { Logger } from './logger.js';
import { secretRedactor } from './redaction.js';
import { setActiveTracing, TRACER_NAME } from './tracing.js';
import { tracingSettingsFromEnv, type TracingRole, type TracingSettings } from './tracing-settings.js';

/** What {@link startTracing} returns: whether spans are exported, and how to flush them at shutdown. */
export interface Tracing {
  readonly enabled: boolean;
  readonly settings?: TracingSettings;
  /** Export what is buffered and stop; safe to call twice. */
  shutdown(): Promise<void>;
}

/** Seams for tests and benchmarks. */
export interface TracingOptions {
  /** @default {@link createOtlpExporter} */
  createExporter?: (settings: TracingSettings) => SpanExporter | Promise<SpanExporter>;
}

const DISABLED: Tracing = { enabled: false, shutdown: () => Promise.resolve() };

/** The default exporter: OTLP over HTTP, protobuf or JSON, to the settings' traces URL with their headers. */
export async function createOtlpExporter(settings: TracingSettings): Promise<SpanExporter> {
  const config = { url: settings.tracesUrl, headers: settings.headers };
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(config);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(config);
}

async function samplerFor(settings: TracingSettings): Promise<Sampler> {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } =
    await import('@opentelemetry/sdk-trace-base');
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
 * Start tracing for this process from the OTEL_* variables of `env`. Without an endpoint nothing is created or even
 * loaded (no provider, no exporter, no SDK module): the @opentelemetry/api no-op tracer stays, and every span helper
 * of tracing.ts costs a function call. With one, a NodeTracerProvider is registered globally (W3C trace context,
 * AsyncLocalStorage context) with a batch processor exporting OTLP/HTTP.
 * @throws ConfigError for a malformed OTEL_* value
 */
export async function startTracing(
  role: TracingRole,
  env: NodeJS.ProcessEnv,
  options: TracingOptions = {},
): Promise<Tracing> {
  const settings = tracingSettingsFromEnv(env, role);
  if (!settings) return DISABLED;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { defaultResource, resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
    ]);
  const exporter = await (options.createExporter ?? createOtlpExporter)(settings);
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': settings.serviceName }),
  );
  const provider = new NodeTracerProvider({
    resource,
    sampler: await samplerFor(settings),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  setActiveTracing({
    capture: settings.captureMessageContent,
    redact: secretRedactor(env),
    tracer: provider.getTracer(TRACER_NAME),
  });
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
          setActiveTracing(undefined);
          trace.disable();
          context.disable();
          propagation.disable();
        });
      return done;
    },
  };
}

/** {@link startTracing} for a service process, logging `tracing_enabled` (endpoint, protocol, service name) when on. */
export async function startProcessTracing(role: TracingRole, env: NodeJS.ProcessEnv, logger: Logger): Promise<Tracing> {
  const tracing = await startTracing(role, env);
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
