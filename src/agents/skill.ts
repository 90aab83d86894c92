import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { AgentDefinitionError } from './errors.js';
import { skillFrontMatterSchema } from './definition-schema.js';
import { parseYaml } from './yaml-source.js';

/** A skill: name and description from SKILL.md's front matter, instructions from its Markdown body. */
export interface Skill {
  name: string;
  description: string;
  requiresGrants: string[];
  body: string;
  path: string;
}

/** Path of a skill's SKILL.md under the definitions root. */
export function skillPath(root: string, name: string): string {
  return join(root, 'skills', name, 'SKILL.md');
}

/** Split `---\nfront matter\n---\nbody`. */
function splitFrontMatter(text: string): { front: string; body: string; bodyLine: number } | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return undefined;
  return { front: match[1] ?? '', body: (match[2] ?? '').trim(), bodyLine: 2 };
}

/** Read and validate one skill. @throws AgentDefinitionError (`skill_invalid`) naming the file and field */
export async function loadSkill(root: string, name: string): Promise<Skill> {
  const path = skillPath(root, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new AgentDefinitionError(
      'skill_invalid',
      `Skill not found: ${path} (create skills/${name}/SKILL.md or remove it from capabilities.skills)`,
    );
  }
  const parts = splitFrontMatter(text);
  if (!parts) {
    throw new AgentDefinitionError(
      'skill_invalid',
      `${path}:1: SKILL.md must start with YAML front matter (---, name, description, ---)`,
    );
  }
  const { source, errors } = parseYaml(parts.front, path);
  if (!source)
    throw new AgentDefinitionError(
      'skill_invalid',
      errors.map((e) => e.replace(/:(\d+):/, (_, l: string) => `:${Number(l) + 1}:`)).join('; '),
    );
  const parsed = skillFrontMatterSchema.safeParse(source.value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const line = (source.lineOf(i.path as (string | number)[]) ?? 0) + 1;
      return `${path}:${line}: ${i.path.join('.') || '(front matter)'}: ${i.message}`;
    });
    throw new AgentDefinitionError('skill_invalid', problems.join('; '));
  }
  if (parsed.data.name !== name) {
    throw new AgentDefinitionError(
      'skill_invalid',
      `${path}: name ${JSON.stringify(parsed.data.name)} must match its folder ${JSON.stringify(name)}`,
    );
  }
  return {
    name,
    description: parsed.data.description,
    requiresGrants: parsed.data.requires_grants,
    body: parts.body,
    path,
  };
}

export type SkillFrontMatter = z.infer<typeof skillFrontMatterSchema>;
