import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerActivateCommand } from './activate-command.js';
import { registerCoordinatorCommand } from './coordinator-command.js';
import { registerHubCommand } from './hub-command.js';
import { registerRunnerCommand } from './runner-command.js';
import { notYetAvailable } from './run-action.js';
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
  program
    .command('dev')
    .description('all-in-one local mode: dev Hub, coordinator and runners in one process')
    .action(notYetAvailable('dev', 7));
  program.command('mcp').description('run a built-in MCP server over stdio').action(notYetAvailable('mcp', 8));
  program
    .command('status')
    .description('show leader, queues, activations, runners and backoff')
    .action(notYetAvailable('status', 10));
  program
    .command('doctor')
    .description("run the troubleshooting guide's diagnostics")
    .action(notYetAvailable('doctor', 10));
  for (const name of ['queue', 'backoff', 'activation', 'dead']) {
    program.command(name).description(`operator commands for ${name}`).action(notYetAvailable(name, 10));
  }
  return program;
}

await buildProgram().parseAsync(process.argv);
