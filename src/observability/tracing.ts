// The span helpers of the instrumented code. They need only @opentelemetry/api: the SDK (provider, exporters) is
// loaded by start-tracing.ts, and only when an endpoint is set, so with tracing off none of it is even imported.
import {
  context,
  INVALID_SPAN_CONTEXT,
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
import { ATTR_ERROR_TYPE } from './semconv.js';

/** Instrumentation scope of every span the runtime makes. */
export const TRACER_NAME = 'botburrow-agents';

/** What instrumented code asks while tracing runs: content capture and the redaction it goes through. */
export interface ActiveTracing {
  capture: boolean;
  redact: (text: string) => string;
  /** The provider's tracer, looked up once (not per span). */
  tracer: Tracer;
}

let active: ActiveTracing | undefined;

/** Set by start-tracing.ts when its provider is registered; cleared at its shutdown. */
export function setActiveTracing(value: ActiveTracing | undefined): void {
  active = value;
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

/** The span instrumented code gets while tracing is off: records nothing, holds no trace id. */
const OFF_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Run `fn` inside a new active span (child of `parent`, default the active context) and end it. A throw marks the
 * span failed (ERROR, `error.type`, the message) unless `onError` classified it already, and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  // Tracing off: no span, no context to switch (the API's no-op tracer would still build both on every call).
  if (!active) return fn(OFF_SPAN);
  return active.tracer.startActiveSpan(name, options, parent ?? context.active(), async (span) => {
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
  return tracingEnabled() && trace.getSpan(context.active())?.isRecording() === true;
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
