import type { Command } from 'commander';
import type { DoctorComponent } from '../operations/doctor-types.js';
import { announceStore, withStoreOption, type StoreOptions } from './operator-store.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents doctor [--component coordinator|runner] [--stale-minutes N] [--json]`: runs the troubleshooting
 * guide's diagnostics in order, one PASS/WARN/FAIL line each with the fix; exit 1 on any FAIL. The first line names
 * the store read (`--store`, VALKEY_URL, or the dev mode running from this folder).
 */
export function registerDoctorCommand(program: Command): void {
  withStoreOption(
    program
      .command('doctor')
      .description("run the troubleshooting guide's diagnostics (exit 1 on any FAIL)")
      .option('--component <name>', 'coordinator or runner (default: both)')
      .option('--stale-minutes <n>', 'report queue items older than this', '10')
      .option('--json', 'print the report as JSON'),
  ).action(
    runAction(async (opts: StoreOptions & { component?: string; staleMinutes: string }) => {
      const { renderDoctor } = await import('../operations/render-doctor.js');
      const { runDoctor } = await import('../operations/run-doctor.js');
      const component = opts.component ?? 'all';
      if (!['coordinator', 'runner', 'all'].includes(component)) {
        console.error(`--component must be coordinator or runner, got ${JSON.stringify(component)}`);
        return 2;
      }
      const staleMinutes = Number(opts.staleMinutes);
      if (!Number.isFinite(staleMinutes) || staleMinutes <= 0) {
        console.error(`--stale-minutes must be a positive number, got ${JSON.stringify(opts.staleMinutes)}`);
        return 2;
      }
      const storeTarget = await announceStore(opts).catch((error: unknown) => {
        const problem = error instanceof Error ? error : new Error(String(error));
        (opts.json ? console.error : console.log)('store: none');
        return problem;
      });
      const report = await runDoctor({ component: component as DoctorComponent, staleMinutes, storeTarget });
      console.log(opts.json ? JSON.stringify(report, null, 2) : renderDoctor(report));
      return report.ok ? 0 : 1;
    }),
  );
}
