// The readable log format (LOG_FORMAT=pretty, the default on a terminal): one line per event,
// `HH:MM:ss LEVEL component event key=value …` with the key fields first, nested values flattened, long values cut,
// secrets still redacted; and when it is chosen (LOG_FORMAT, else whether the output is a terminal).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadSharedConfig } from '../config/schema.js';
import { ConfigError } from '../shared/errors.js';
import { formatLogLine, resolveLogFormat } from './log-format.js';
import { createLogger } from './logger.js';

function prettyLogger(env: NodeJS.ProcessEnv = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level: 'DEBUG', format: 'pretty', destination, env });
  return { logger, out: () => chunks.join('') };
}

describe('pretty log lines', () => {
  it('one line: time, level, component, event, then the key fields, then the rest; secrets redacted', () => {
    const { logger, out } = prettyLogger({ HUB_API_KEY: 'botburrow_service_abcdef123456' });
    logger
      .child({ component: 'runner', runner_id: 'runner-7' })
      .child({ agent_id: 'helper', activation_id: 'a1b2' })
      .warn('activation_failed', {
        attempt: 2,
        error: new Error('401 from Hub for key botburrow_service_abcdef123456\nsecond line'),
        reason: 'hub_auth',
        queue_depths: { high: 3, low: 0 },
        tool_calls: ['hub_search', 'hub_reply'],
        note: 'x'.repeat(400),
      });
    const text = out();
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).toMatch(
      new RegExp(
        '^\\d\\d:\\d\\d:\\d\\d WARN  runner activation_failed agent_id=helper activation_id=a1b2 runner_id=runner-7 ' +
          'reason=hub_auth error="401 from Hub for key \\[REDACTED\\]\\\\nsecond line" attempt=2 ' +
          'queue_depths.high=3 queue_depths.low=0 tool_calls=hub_search,hub_reply note=x{160}…\\n$',
      ),
    );
    expect(text).not.toContain('botburrow_service_abcdef123456');
    expect(text).not.toContain('{');
  });

  it('redacts secret fields by name and levels line up', () => {
    const { logger, out } = prettyLogger();
    logger.info('hub_request', { apiKey: 'anything-at-all', status: 200 });
    logger.error('ack_failed', { error: 'Connection is closed' });
    const [info, error] = out().trimEnd().split('\n');
    expect(info).toMatch(/^\d\d:\d\d:\d\d INFO {2}hub_request apiKey=\[REDACTED\] status=200$/);
    expect(error).toMatch(/^\d\d:\d\d:\d\d ERROR ack_failed error="Connection is closed"$/);
    expect(out()).not.toContain('anything-at-all');
  });

  it('keeps a line that is not JSON, on one line', () => {
    expect(formatLogLine('plain\ntext')).toBe('plain text');
  });

  it('colours only when asked (a terminal)', () => {
    const line = JSON.stringify({ time: '2026-12-04T21:00:00.000Z', level: 'error', event: 'x' });
    expect(formatLogLine(line)).toBe('21:00:00 ERROR x');
    expect(formatLogLine(line, { colors: true })).toContain('\u001b[31mERROR');
  });
});

describe('LOG_FORMAT', () => {
  it('pretty on a terminal, json elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(resolveLogFormat(undefined, { isTTY: true })).toBe('pretty');
    expect(resolveLogFormat(undefined, {})).toBe('json');
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('pretty', { isTTY: false })).toBe('pretty');
  });

  it('is read from the environment (case-insensitive) and rejects other values', () => {
    expect(loadSharedConfig({ LOG_FORMAT: 'JSON' }, 'hub').logFormat).toBe('json');
    expect(loadSharedConfig({}, 'hub').logFormat).toBeUndefined();
    expect(() => loadSharedConfig({ LOG_FORMAT: 'xml' }, 'hub')).toThrow(ConfigError);
    expect(() => loadSharedConfig({ LOG_FORMAT: 'xml' }, 'hub')).toThrow(/LOG_FORMAT/);
  });

  it('a logger without a format writes JSON to a destination that is not a terminal', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    });
    createLogger({ destination }).info('became_leader', { is_leader: true });
    expect(JSON.parse(chunks.join(''))).toMatchObject({ event: 'became_leader', is_leader: true });
  });
});
