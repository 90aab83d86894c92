/** One Sentinel address of `VALKEY_SENTINELS`. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * Parse `VALKEY_SENTINELS` (`host:port,host:port,...`; port 26379 when omitted; IPv6 as `[::1]:26379`), or say what
 * is wrong with it.
 */
export function parseSentinels(text: string): { sentinels: SentinelAddress[] } | { problem: string } {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return { problem: 'lists no sentinel; give host:port entries separated by commas' };
  const sentinels: SentinelAddress[] = [];
  for (const entry of entries) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = match?.[2] === undefined ? 26379 : Number(match[2]);
    if (!match || port < 1 || port > 65_535) {
      return { problem: `${JSON.stringify(entry)} is not host:port (e.g. valkey-sentinel-0.valkey:26379)` };
    }
    sentinels.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return { sentinels };
}
