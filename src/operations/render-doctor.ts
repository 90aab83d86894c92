import type { DoctorReport } from './run-doctor.js';

/** The human output of `botburrow-agents doctor`: `STATUS  check  message`, then `      fix: …` under WARN/FAIL. */
export function renderDoctor(report: DoctorReport): string {
  const width = Math.max(...report.results.map((r) => r.check.length), 5);
  const lines = report.results.flatMap((r) => {
    const head = `${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.message}`;
    return r.fix ? [head, `${' '.repeat(8 + width)}fix: ${r.fix}`] : [head];
  });
  const { PASS, WARN, FAIL, SKIP } = report.counts;
  lines.push(
    '',
    `${report.ok ? 'OK' : 'PROBLEMS FOUND'}: ${PASS} passed, ${WARN} warning(s), ${FAIL} failure(s), ${SKIP} skipped`,
  );
  return lines.join('\n');
}
