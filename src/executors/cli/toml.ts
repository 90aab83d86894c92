/** A TOML value the CLI configs need: strings, string arrays, booleans, numbers and inline tables of those. */
export type TomlValue = string | number | boolean | string[] | { [key: string]: TomlValue };

/**
 * A TOML basic string (https://toml.io/en/v1.0.0#string). JSON's escapes are valid TOML escapes; DEL, which JSON
 * leaves as is and TOML forbids in basic strings, is escaped too.
 */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\u007f/g, '\\u007F');
}

/** A bare key when it only has letters, digits, `-` and `_`, else a quoted key. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** `value` as inline TOML (an inline table for objects), e.g. for codex's `-c key=value` overrides. */
export function tomlInline(value: TomlValue): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('TOML numbers must be finite here');
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlString).join(', ')}]`;
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${tomlKey(k)} = ${tomlInline(v)}`)
    .join(', ')} }`;
}

/** A document of top-level `key = value` lines (tables written inline), one per entry. */
export function tomlDocument(entries: Readonly<Record<string, TomlValue>>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${tomlKey(k)} = ${tomlInline(v)}\n`)
    .join('');
}
