/** Replace each credential value in `text` with `[REDACTED]` (values shorter than 4 characters are left alone). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4 && out.includes(s)) out = out.split(s).join('[REDACTED]');
  }
  return out;
}
