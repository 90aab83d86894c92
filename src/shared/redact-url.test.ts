import { describe, expect, it } from 'vitest';
import { isRuntimeCredential } from '../config/runtime-credentials.js';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the password of a password-only Redis URL (the k8s VALKEY_URL form)', () => {
    const out = redactUrl('redis://:s3cr3t-hex@valkey.botburrow-agents.svc.cluster.local:6379');
    expect(out).toBe('redis://:***@valkey.botburrow-agents.svc.cluster.local:6379');
    expect(out).not.toContain('s3cr3t');
  });

  it('hides the password and keeps the user of a user:password URL', () => {
    expect(redactUrl('redis://agents:pw@valkey:6379/0')).toBe('redis://agents:***@valkey:6379/0');
  });

  it('leaves a URL without a password as it is, and never echoes an unparsable one', () => {
    expect(redactUrl('redis://valkey:6379')).toBe('redis://valkey:6379');
    expect(redactUrl('not a url :pw@')).toBe('<invalid url>');
  });

  it('the Valkey password variable is a runtime credential an agent definition cannot route', () => {
    expect(isRuntimeCredential('VALKEY_PASSWORD')).toBe(true);
    expect(isRuntimeCredential('VALKEY_URL')).toBe(true);
  });
});
