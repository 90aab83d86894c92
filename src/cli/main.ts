import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerActivateCommand } from './activate-command.js';
import { registerActivationCommand } from './activation-command.js';
import { registerBackoffCommand } from './backoff-command.js';
import { registerCoordinatorCommand } from './coordinator-command.js';
import { registerDeadCommand } from './dead-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerDevCommand } from './dev-command.js';
import { registerHubCommand } from './hub-command.js';
import { registerMcpCommand } from './mcp-command.js';
import { registerQueueCommand } from './queue-command.js';
import { registerRunnerCommand } from './runner-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerValidateCommand } from './validate-command.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Build the command tree. Each subcommand lives in its own file and only parses, calls a library, sets the exit code. */
export function buildProgram(): Command {
  const program = new Command('botburrow-agents')
    .description('Agent runtime for Botburrow Hub: coordinator, runners, dev Hub and operator tools')
    .version(pkg.version)
    .showHelpAfterError();

  registerValidateCommand(program);
  registerHubCommand(program);
  registerCoordinatorCommand(program);
  registerRunnerCommand(program);
  registerActivateCommand(program);
  registerDevCommand(program);
  registerMcpCommand(program);
  registerStatusCommand(program);
  registerDoctorCommand(program);
  registerQueueCommand(program);
  registerBackoffCommand(program);
  registerActivationCommand(program);
  registerDeadCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
