// Event loop delay gauges (issue 22, idle CPU): sampled every 100 ms rather than prom-client's 10 ms, reporting the
// delay without the sample period, under prom-client's metric names, each exposed once.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_LAG_GAUGES, registerEventLoopLag, type DelayHistogram } from './event-loop-lag.js';
import { createMetricsRegistry } from './metrics.js';

/** A histogram of fixed readings (ns), as `monitorEventLoopDelay` would hold them. */
function fixedHistogram(readings: Partial<DelayHistogram> & { p: Record<number, number> }) {
  const h = {
    min: 0,
    max: 0,
    mean: 0,
    stddev: 0,
    count: 10,
    resets: 0,
    ...readings,
    percentile: (p: number) => readings.p[p] ?? NaN,
    reset() {
      h.resets++;
      h.count = 0;
    },
  };
  return h;
}

async function gaugeValues(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of await registry.getMetricsAsJSON()) out[m.name] = m.values[0]?.value ?? NaN;
  return out;
}

const ms = (n: number): number => n * 1e6;

describe('event loop lag gauges', () => {
  it('report the delay beyond the sample period, in seconds, then reset the histogram', async () => {
    const registry = new Registry();
    const h = fixedHistogram({
      min: ms(100.2),
      max: ms(350),
      mean: ms(101),
      stddev: ms(3),
      p: { 50: ms(100.5), 90: ms(102), 99: ms(150) },
    });
    registerEventLoopLag(registry, 100, h);
    const v = await gaugeValues(registry);
    expect(v.nodejs_eventloop_lag_min_seconds).toBeCloseTo(0.0002, 6);
    expect(v.nodejs_eventloop_lag_max_seconds).toBeCloseTo(0.25, 6);
    expect(v.nodejs_eventloop_lag_mean_seconds).toBeCloseTo(0.001, 6);
    expect(v.nodejs_eventloop_lag_stddev_seconds).toBeCloseTo(0.003, 6);
    expect(v.nodejs_eventloop_lag_p50_seconds).toBeCloseTo(0.0005, 6);
    expect(v.nodejs_eventloop_lag_p90_seconds).toBeCloseTo(0.002, 6);
    expect(v.nodejs_eventloop_lag_p99_seconds).toBeCloseTo(0.05, 6);
    expect(h.resets).toBe(1);
    // No sample since the last scrape: the last values stay.
    expect((await gaugeValues(registry)).nodejs_eventloop_lag_max_seconds).toBeCloseTo(0.25, 6);
    expect(h.resets).toBe(1);
  });

  it('never report a negative delay (a sample a little early)', async () => {
    const registry = new Registry();
    registerEventLoopLag(registry, 100, fixedHistogram({ min: ms(99.9), max: ms(100), mean: ms(99.95), p: {} }));
    const v = await gaugeValues(registry);
    expect(v.nodejs_eventloop_lag_min_seconds).toBe(0);
    expect(v.nodejs_eventloop_lag_p99_seconds).toBe(0);
  });

  it('the component registry exposes each event loop gauge once, and sees a stalled loop', async () => {
    const registry = createMetricsRegistry({ component: 'test' });
    await new Promise((r) => setTimeout(r, 250));
    // Block the loop for 300 ms: a sample due during the block is taken at least 200 ms late.
    const until = Date.now() + 300;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 250));
    const text = await registry.metrics();
    for (const [name] of [...Object.values(EVENT_LOOP_LAG_GAUGES), ['nodejs_eventloop_lag_seconds']]) {
      expect(text.match(new RegExp(`^# TYPE ${name} gauge$`, 'gm')), name).toHaveLength(1);
    }
    const max = Number(/^nodejs_eventloop_lag_max_seconds\{component="test"\} (\S+)$/m.exec(text)?.[1]);
    expect(max).toBeGreaterThanOrEqual(0.2);
  });
});
