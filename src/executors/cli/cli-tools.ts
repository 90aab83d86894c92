import { aiderTool } from './aider.js';
import { claudeCodeTool } from './claude-code.js';
import type { CliTool } from './cli-tool.js';
import { codexTool } from './codex.js';
import { customTool } from './custom.js';
import { geminiCliTool } from './gemini-cli.js';
import { gooseTool } from './goose.js';
import { openCodeTool } from './opencode.js';

/** Every CLI executor's tool, in registry order (the runner registers one `CliExecutor` per entry). */
export const CLI_TOOLS: readonly CliTool[] = [
  claudeCodeTool,
  codexTool,
  geminiCliTool,
  gooseTool,
  aiderTool,
  openCodeTool,
  customTool,
];
