import type { AgentConfig } from './definition-schema.js';
import type { Skill } from './skill.js';

/** Everything the runtime knows about one agent: its validated config.yaml, system prompt and skills. */
export interface AgentDefinition {
  name: string;
  config: AgentConfig;
  systemPrompt: string;
  skills: Skill[];
  /** Absolute path of config.yaml (for messages). */
  configPath: string;
  /** Non-fatal findings, e.g. unknown keys with a "did you mean" suggestion. */
  warnings: string[];
}
