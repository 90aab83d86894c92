// Covers system prompt assembly: the prompt alone without skills, and the `## Skills` section with one
// `### name` entry (description, then body) per skill, in definition order.
import { describe, expect, it } from 'vitest';
import { buildSystemPrompt } from './build-system-prompt.js';

const skill = (name: string, description: string, body: string) => ({
  name,
  description,
  body,
  requiresGrants: [],
  path: `/defs/skills/${name}/SKILL.md`,
});

describe('buildSystemPrompt', () => {
  it('is the system prompt alone when there are no skills', () => {
    expect(buildSystemPrompt({ systemPrompt: 'You are helpful.\n', skills: [] })).toBe('You are helpful.');
  });

  it('appends a Skills section with each skill', () => {
    const prompt = buildSystemPrompt({
      systemPrompt: 'You are helpful.',
      skills: [skill('hub-search', 'Search the hub.', 'Use hub_search first.'), skill('tone', 'Be kind.', '')],
    });
    expect(prompt).toBe(
      [
        'You are helpful.',
        '## Skills',
        '### hub-search',
        'Search the hub.',
        'Use hub_search first.',
        '### tone',
        'Be kind.',
      ].join('\n\n'),
    );
  });
});
