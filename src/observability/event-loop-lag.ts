import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * How often the event loop delay is sampled, in ms. prom-client's default (10 ms) wakes an idle process 100 times a
 * second, about 4 ms of CPU per second on this project's benchmark machine (bench/README.md, issue 22); at 100 ms a
 * stall of 100 ms or more is always seen, shorter ones only when they overlap a sample.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** The gauges prom-client derives from its delay histogram, replaced by {@link registerEventLoopLag}. */
export const EVENT_LOOP_LAG_GAUGES = {
  min: ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min'],
  max: ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max'],
  mean: ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'average'],
  stddev: [
    'nodejs_eventloop_lag_stddev_seconds',
    'The standard deviation of the recorded event loop delays.',
    'average',
  ],
  p50: ['nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 'average'],
  p90: ['nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 'average'],
  p99: ['nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 'average'],
} as const;

/** What the gauges read from Node's interval histogram (`monitorEventLoopDelay`), in ns. */
export interface DelayHistogram {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly count: number;
  percentile(p: number): number;
  reset(): void;
}

/**
 * Register the event loop delay gauges on `registry`, fed by a histogram sampled every `sampleMs`. Node's histogram
 * records the time between two samples (the sample period plus the delay); the gauges report the delay alone, as
 * their help says, so their values do not depend on the sample period. Each scrape reads then resets the histogram.
 */
export function registerEventLoopLag(
  registry: Registry,
  sampleMs = EVENT_LOOP_SAMPLE_MS,
  histogram: DelayHistogram = startHistogram(sampleMs),
): void {
  const periodNs = sampleMs * 1e6;
  const seconds = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns - periodNs) / 1e9 : 0);
  // The first gauge's collect (run at each scrape, before the others are read) sets them all from one reading.
  const collect = (): void => {
    if (histogram.count === 0) return;
    gauges.min.set(seconds(histogram.min));
    gauges.max.set(seconds(histogram.max));
    gauges.mean.set(seconds(histogram.mean));
    // The spread of the samples is that of the delays (the period is a constant).
    gauges.stddev.set(Number.isFinite(histogram.stddev) ? histogram.stddev / 1e9 : 0);
    gauges.p50.set(seconds(histogram.percentile(50)));
    gauges.p90.set(seconds(histogram.percentile(90)));
    gauges.p99.set(seconds(histogram.percentile(99)));
    histogram.reset();
  };
  const gauges = Object.fromEntries(
    Object.entries(EVENT_LOOP_LAG_GAUGES).map(([key, [name, help, aggregator]]) => [
      key,
      new Gauge({ name, help, aggregator, registers: [registry], ...(key === 'min' ? { collect } : {}) }),
    ]),
  ) as Record<keyof typeof EVENT_LOOP_LAG_GAUGES, Gauge>;
}

function startHistogram(sampleMs: number): DelayHistogram {
  const histogram = monitorEventLoopDelay({ resolution: sampleMs });
  histogram.enable();
  return histogram;
}
