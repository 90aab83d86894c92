import type { Command } from 'commander';
import type { DoctorComponent } from '../operations/doctor-types.js';
import { runAction } from './run-action.js';

/**
 * `botburrow-agents doctor [--component coordinator|runner] [--stale-minutes N] [--json]`: runs the troubleshooting
 * guide's diagnostics in order, one PASS/WARN/FAIL line each with the fix; exit 1 on any FAIL.
 */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description("run the troubleshooting guide's diagnostics (exit 1 on any FAIL)")
    .option('--component <name>', 'coordinator or runner (default: both)')
    .option('--stale-minutes <n>', 'report queue items older than this', '10')
    .option('--json', 'print the report as JSON')
    .action(
      runAction(async (opts: { component?: string; staleMinutes: string; json?: boolean }) => {
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
        const [{ renderDoctor }, { runDoctor }] = await Promise.all([
          import('../operations/render-doctor.js'),
          import('../operations/run-doctor.js'),
        ]);
        const report = await runDoctor({ component: component as DoctorComponent, staleMinutes });
        console.log(opts.json ? JSON.stringify(report, null, 2) : renderDoctor(report));
        return report.ok ? 0 : 1;
      }),
    );
}
