import type { Command } from 'commander';
import { loadSharedConfig } from '../config/schema.js';
import { runAction } from './run-action.js';

/** `botburrow-agents validate [--path DIR] [--policy FILE]`: one line per agent and skill; exit 1 if any is invalid. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate every agent and skill under the definitions path')
    .option('--path <dir>', 'definitions folder (default: AGENT_DEFINITIONS_PATH)')
    .option(
      '--policy <file>',
      'permission policy whose llm_keys bind LLM keys to endpoints (default: AGENT_PERMISSIONS_PATH)',
    )
    .action(
      runAction(async (opts: { path?: string; policy?: string }) => {
        const root = opts.path ?? loadSharedConfig().agentDefinitionsPath;
        const [{ validateDefinitions }, { keyBindingsFromEnv }] = await Promise.all([
          import('../agents/validate-definitions.js'),
          import('../executors/native/key-bindings-from-env.js'),
        ]);
        const policyPath = opts.policy ?? process.env.AGENT_PERMISSIONS_PATH;
        const keyBindings = await keyBindingsFromEnv({ AGENT_PERMISSIONS_PATH: policyPath });
        const results = await validateDefinitions(root, { keyBindings });
        if (results.length === 0) {
          console.error(`no agents or skills found under ${root} (expected agents/<name>/config.yaml)`);
          return 1;
        }
        for (const r of results) {
          const label = `${r.kind} ${r.name}`;
          if (r.ok) console.log(`ok    ${label}`);
          for (const e of r.errors) console.log(`FAIL  ${label}: ${e}`);
          for (const w of r.warnings) console.log(`warn  ${label}: ${w}`);
        }
        const failed = results.filter((r) => !r.ok).length;
        console.log(failed === 0 ? `${results.length} valid` : `${failed} of ${results.length} invalid`);
        return failed === 0 ? 0 : 1;
      }),
    );
}
