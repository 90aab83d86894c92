import { aiderTool } from './aider.js';
import { claudeCodeTool } from './claude-code.js';
import type { CliTool } from './cli-tool.js';
import { customTool } from './custom.js';
import { gooseTool } from './goose.js';
import { openCodeTool } from './opencode.js';

/** Every CLI executor's tool, in registry order (the runner registers one `CliExecutor` per entry). */
export const CLI_TOOLS: readonly CliTool[] = [claudeCodeTool, gooseTool, aiderTool, openCodeTool, customTool];
