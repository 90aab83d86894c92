import { createHash } from 'node:crypto';

/** Tool names both Anthropic and OpenAI accept. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The name the model sees for an MCP tool: `<server>__<tool>` (e.g. `filesystem__read_file`), with characters
 * outside `[a-zA-Z0-9_-]` replaced by `_`. Names longer than 64 characters are cut and end in a short hash of the
 * full name, so they stay unique.
 */
export function namespacedToolName(server: string, tool: string): string {
  const full = `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (full.length <= 64) return full;
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 8);
  return `${full.slice(0, 55)}_${hash}`;
}
