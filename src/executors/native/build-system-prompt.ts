import type { AgentDefinition } from '../../agents/agent-definition.js';

/**
 * The system prompt the model sees: the agent's `system-prompt.md`, then, when the agent has skills, a `## Skills`
 * section with one `### <name>` per skill (description, then the SKILL.md body). Deterministic, so the same
 * definition always yields the same prompt (provider prompt caches depend on it).
 */
export function buildSystemPrompt(definition: Pick<AgentDefinition, 'systemPrompt' | 'skills'>): string {
  const parts = [definition.systemPrompt.trim()];
  if (definition.skills.length > 0) {
    parts.push('## Skills');
    for (const skill of definition.skills) {
      parts.push([`### ${skill.name}`, skill.description.trim(), skill.body.trim()].filter(Boolean).join('\n\n'));
    }
  }
  return parts.filter(Boolean).join('\n\n');
}
