import { AppError } from '../shared/errors.js';

/**
 * Agent definition problems. All are permanent for the work item that hit them: retrying will not help until
 * the definitions repository is fixed.
 * - `agent_config_not_found`: agents/<name>/config.yaml does not exist (message names the full path).
 * - `agent_config_invalid`: YAML syntax or schema error (message names file, field path and line).
 * - `system_prompt_not_found`: agents/<name>/system-prompt.md is missing.
 * - `skill_invalid`: a referenced skill is missing or its SKILL.md front matter is invalid.
 */
export type AgentDefinitionErrorCode =
  'agent_config_not_found' | 'agent_config_invalid' | 'system_prompt_not_found' | 'skill_invalid';

export class AgentDefinitionError extends AppError<AgentDefinitionErrorCode> {}
