import { ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import { BOTBURROW } from '../observability/gen-ai-attributes.js';
import { errorType, failSpan, tracer, tracingEnabled, traceparentOf } from '../observability/tracing.js';
import { priorityFor } from '../store/priority.js';
import type { EnqueueResult, WorkRequest } from '../store/types.js';

/** The open spans of one enqueue batch, ended with each request's result. */
export interface NotificationSpans {
  end(index: number, result: EnqueueResult): void;
  /** The whole batch failed (Redis down, deposed leader). */
  fail(error: unknown): void;
}

const NONE: NotificationSpans = { end: () => undefined, fail: () => undefined };

/**
 * With tracing on, start for each request a root span `hub.notification <agent>` (the coordinator saw unread
 * notifications for that agent) and its child `enqueue work:queue:<priority>` (PRODUCER), whose W3C traceparent is
 * stored in the request: the runner's spans for that work join this trace. A merged item keeps the traceparent of
 * the item it merged into; its spans end here (`botburrow.enqueue.status`). With tracing off: nothing at all.
 */
export function notificationSpans(requests: WorkRequest[]): NotificationSpans {
  if (!tracingEnabled()) return NONE;
  const open: { seen: Span; enqueue: Span }[] = requests.map((request) => {
    const attributes = {
      [BOTBURROW.AGENT_ID]: request.agent_id,
      [BOTBURROW.TASK_TYPE]: request.task_type,
      [BOTBURROW.INBOX_COUNT]: request.inbox_count ?? 0,
      [BOTBURROW.HAS_MENTION]: request.has_mention === true,
    };
    const seen = tracer().startSpan(
      `hub.notification ${request.agent_id}`,
      { kind: SpanKind.INTERNAL, attributes, root: true },
      ROOT_CONTEXT,
    );
    const queue = `work:queue:${priorityFor(request.task_type, request.has_mention)}`;
    const inSeen = trace.setSpan(ROOT_CONTEXT, seen);
    const enqueue = tracer().startSpan(
      `enqueue ${queue}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          ...attributes,
          'messaging.system': 'redis',
          'messaging.operation.type': 'send',
          'messaging.destination.name': queue,
        },
      },
      inSeen,
    );
    request.traceparent = traceparentOf(trace.setSpan(inSeen, enqueue));
    return { seen, enqueue };
  });
  return {
    end(index, result) {
      const spans = open[index];
      if (!spans) return;
      for (const span of [spans.enqueue, spans.seen]) {
        span.setAttribute(BOTBURROW.ENQUEUE_STATUS, result.status);
        if ('item' in result) span.setAttribute(BOTBURROW.WORK_ID, result.item.id);
        if (result.status === 'in_flight') span.setAttribute(BOTBURROW.WORK_ID, result.workId);
        span.end();
      }
    },
    fail(error) {
      for (const { seen, enqueue } of open) {
        for (const span of [enqueue, seen]) {
          failSpan(span, errorType(error), error instanceof Error ? error.message : String(error));
          span.end();
        }
      }
    },
  };
}
