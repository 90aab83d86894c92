// Covers the JSON log format (event, level, bound fields), LOG_LEVEL filtering, and secret redaction by
// field name and by value, asserted on the captured output lines.
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { duplicateKeysIn } from '../testing/child-service.js';

describe('logger', () => {
  it('writes one JSON object per line with event, level and bound fields', () => {
    const { logger, lines } = captureLogger();
    logger
      .child({ component: 'runner', runner_id: 'r1' })
      .info('work_claimed', { agent_id: 'helper', activation_id: 'a1' });
    expect(lines[0]).toMatchObject({
      event: 'work_claimed',
      level: 'info',
      component: 'runner',
      runner_id: 'r1',
      agent_id: 'helper',
      activation_id: 'a1',
    });
    expect(typeof lines[0]!.time).toBe('string');
  });

  it('writes every key once: the innermost child or call value wins', () => {
    const { logger, raw } = captureLogger();
    logger
      .child({ component: 'runner', runner_id: 'r1', agent_id: 'a' })
      .child({ component: 'hub_client', agent_id: 'b' })
      .info('hub_request', { agent_id: 'c', status: 200 });
    const line = raw().trim();
    // JSON.parse keeps the last of repeated keys, so count the keys in the text itself.
    const keys = [...line.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
    expect(keys.filter((k) => k === 'component')).toHaveLength(1);
    expect(keys.filter((k) => k === 'agent_id')).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
    expect(JSON.parse(line)).toMatchObject({ component: 'hub_client', runner_id: 'r1', agent_id: 'c', status: 200 });
  });

  it("the e2e tests' duplicate-key parser flags a repeated key at any depth, and passes the logger's lines", () => {
    expect(duplicateKeysIn('{"event":"x","agent_id":"a","agent_id":"b"}')).toHaveLength(1);
    expect(duplicateKeysIn('{"event":"x","depths":{"high":1,"high":2}}')).toHaveLength(1);
    expect(duplicateKeysIn('{"event":"x","agents":[{"name":"a"},{"name":"b"}]}')).toEqual([]);
    const { logger, raw } = captureLogger();
    logger.child({ component: 'runner', agent_id: 'a' }).child({ agent_id: 'b' }).info('y', { agent_id: 'c' });
    expect(duplicateKeysIn(raw().trim())).toEqual([]);
  });

  it('drops debug events unless LOG_LEVEL=DEBUG', () => {
    const info = captureLogger({ level: 'INFO' });
    info.logger.debug('poll_timeout');
    info.logger.warn('hub_unreachable');
    expect(info.events()).toEqual(['hub_unreachable']);
    expect(info.lines[0]!.level).toBe('warn');
    const debug = captureLogger({ level: 'DEBUG' });
    debug.logger.debug('poll_timeout');
    expect(debug.events()).toEqual(['poll_timeout']);
    expect(debug.logger.isDebugEnabled()).toBe(true);
  });

  it('redacts secret env values wherever they appear, and secret fields by name', () => {
    const env = {
      HUB_API_KEY: 'botburrow_service_abcdef123456',
      GITHUB_PAT: 'ghp_canary_987654',
      PLAIN: 'visible-value',
    };
    const { logger, raw } = captureLogger({ env, secrets: ['runtime-generated-key'] });
    logger.error('hub_auth_failed', {
      error: new Error('401 for key botburrow_service_abcdef123456'),
      url: 'https://x:ghp_canary_987654@github.com',
      apiKey: 'anything-at-all',
      headers: { authorization: 'Bearer abc' },
      note: 'runtime-generated-key and visible-value',
    });
    const out = raw();
    for (const secret of [
      'botburrow_service_abcdef123456',
      'ghp_canary_987654',
      'anything-at-all',
      'Bearer abc',
      'runtime-generated-key',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('visible-value');
    expect(out).toContain('[REDACTED]');
  });
});

describe('logger: secret fields by name', () => {
  it('censors them at the top and one level down, bound or passed, and leaves the caller objects as they were', () => {
    const { logger, lines } = captureLogger({ env: {} });
    const headers = { Authorization: 'Bearer top-secret-1', accept: 'application/json' };
    const client = { apiKey: 'nested-secret-2', name: 'hub' };
    const failure = Object.assign(new Error('upstream said no'), { token: 'error-secret-3' });
    logger.child({ token: 'bound-secret-4' }).warn('hub_request_failed', {
      headers,
      client,
      error: failure,
      password: 'top-secret-5',
      grants: ['hub:read'],
      detail: { status: 401 },
    });
    const line = lines[0]!;
    expect(line).toMatchObject({
      token: '[REDACTED]',
      password: '[REDACTED]',
      headers: { Authorization: '[REDACTED]', accept: 'application/json' },
      client: { apiKey: '[REDACTED]', name: 'hub' },
      grants: ['hub:read'],
      detail: { status: 401 },
    });
    // Still serialized as an error (pino's err serializer), its own secret censored.
    expect(line.error).toMatchObject({ type: 'Error', message: 'upstream said no', token: '[REDACTED]' });
    expect(JSON.stringify(line)).not.toMatch(/secret-\d/);
    expect(headers.Authorization).toBe('Bearer top-secret-1');
    expect(client.apiKey).toBe('nested-secret-2');
    expect(failure.token).toBe('error-secret-3');
  });

  it('writes a line without secret fields as it was given', () => {
    const { logger, lines } = captureLogger({ env: {} });
    logger.info('activation_completed', { agent_id: 'a', tokens: { in: 3, out: 4 }, authorized: true });
    expect(lines[0]).toMatchObject({ agent_id: 'a', tokens: { in: 3, out: 4 }, authorized: true });
  });
});

describe('logger: credential URLs', () => {
  it('redacts URLs that carry a password, but not plain URLs', () => {
    const env = {
      POSTGRES_TEST_URL: 'postgresql://app:s3cretpw@db:5432/test',
      HUB_URL: 'http://hub.botburrow.svc.cluster.local:8000',
    };
    const { logger, raw } = captureLogger({ env });
    logger.warn('mcp_error', { detail: 'connect postgresql://app:s3cretpw@db:5432/test failed', hub: env.HUB_URL });
    expect(raw()).not.toContain('s3cretpw');
    expect(raw()).toContain('http://hub.botburrow.svc.cluster.local:8000');
  });
});
