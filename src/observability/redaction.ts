/**
 * Secret redaction. Two layers: known field names are censored by key, and the raw values of every secret
 * environment variable are replaced wherever they appear in a serialized log line (an error message that
 * quotes a URL with a password, say).
 */

/** Env var names whose values are secrets (OTEL_EXPORTER_OTLP_HEADERS: an exporter's Authorization header). */
export const SECRET_NAME_PATTERN = /(KEY|TOKEN|SECRET|PASSWORD|PAT|_URL_WITH_CREDENTIALS|OTLP_HEADERS)$/i;

/** The placeholder written instead of a secret. */
export const REDACTED = '[REDACTED]';

/** Field paths pino censors by key (any depth pino supports with wildcards). */
export const REDACTED_FIELD_PATHS = [
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'password',
  'token',
  'headers.authorization',
  'headers.Authorization',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.password',
  '*.token',
];

/** Values of env vars that name secrets; short values (< 6 chars) are ignored to avoid mangling logs. */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 6) continue;
    if (SECRET_NAME_PATTERN.test(name)) values.add(value);
    // URLs that carry credentials (POSTGRES_<DB>_URL, a Redis URL with a password): the whole URL is secret.
    else if (/_URL$/.test(name) && /\/\/[^/@\s]*:[^/@\s]+@/.test(value)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

const redactors = new WeakMap<object, (text: string) => string>();

/**
 * The one redaction of text that is stored or shown outside the logs (a backoff's `last_error`, the dev Activity
 * panel, `activate` output, CLI error lines, Hub replies): every secret value of `env` (as the logs redact them)
 * replaced with `[REDACTED]`. Cached per environment object.
 */
export function secretRedactor(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  let redact = redactors.get(env);
  if (!redact) {
    const secrets = secretValuesFromEnv(env);
    redact = secretsRedaction(secrets);
    redactors.set(env, redact);
  }
  return redact;
}

/**
 * The redaction of a fixed list of secrets, each as written and as escaped inside a JSON string, the needles built
 * once (the logger runs it on every line).
 */
export function secretsRedaction(secrets: readonly string[]): (text: string) => string {
  const needles = secrets.flatMap((secret) => {
    const jsonEscaped = JSON.stringify(secret).slice(1, -1);
    return jsonEscaped === secret ? [secret] : [secret, jsonEscaped];
  });
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
}
