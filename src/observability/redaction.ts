/**
 * Secret redaction. Two layers: known field names are censored by key, and the raw values of every secret
 * environment variable are replaced wherever they appear in a serialized log line (an error message that
 * quotes a URL with a password, say).
 */

/** Env var names whose values are secrets (OTEL_EXPORTER_OTLP_HEADERS: an exporter's Authorization header). */
export const SECRET_NAME_PATTERN = /(KEY|TOKEN|SECRET|PASSWORD|PAT|_URL_WITH_CREDENTIALS|OTLP_HEADERS)$/i;

/** The placeholder written instead of a secret. */
export const REDACTED = '[REDACTED]';

/** Field names censored at the top of a log line's fields. */
const SECRET_FIELDS = new Set(['apiKey', 'api_key', 'authorization', 'Authorization', 'password', 'token']);
/** Field names censored one level down (`headers.authorization`, `client.apiKey`, `db.password`, ...). */
const NESTED_SECRET_FIELDS = ['apiKey', 'api_key', 'authorization', 'password', 'token'];
const HEADER_SECRET_FIELDS = [...NESTED_SECRET_FIELDS, 'Authorization'];

/**
 * A log line's fields with secret fields censored by name: `apiKey`, `api_key`, `authorization`, `Authorization`,
 * `password` and `token` at the top, the same (and `headers.Authorization`) one level down. The fields themselves are
 * returned when nothing is censored (the common case: no copy); otherwise a copy, never the caller's objects changed.
 * Replaces pino's `redact` paths, whose wildcard ran a path-parsing, cloning redactor over every field of every line
 * (~100 KB of garbage per activation, bench/README.md "Fifth pass").
 */
export function censorSecretFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    if (SECRET_FIELDS.has(key)) {
      (out ??= { ...fields })[key] = REDACTED;
      continue;
    }
    const value = fields[key];
    if (value === null || typeof value !== 'object') continue;
    const censored = censorNested(value, key === 'headers' ? HEADER_SECRET_FIELDS : NESTED_SECRET_FIELDS);
    if (censored !== value) (out ??= { ...fields })[key] = censored;
  }
  return out ?? fields;
}

/** `value` itself, or a copy (same prototype and properties: an Error stays an Error) with `names` censored. */
function censorNested(value: object, names: readonly string[]): object {
  let copy: Record<string, unknown> | undefined;
  for (const name of names) {
    if (!Object.hasOwn(value, name)) continue;
    copy ??= Object.create(
      Object.getPrototypeOf(value) as object | null,
      Object.getOwnPropertyDescriptors(value),
    ) as Record<string, unknown>;
    Object.defineProperty(copy, name, { value: REDACTED, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? value;
}

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
