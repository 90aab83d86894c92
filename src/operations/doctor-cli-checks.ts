import { dirname } from 'node:path';
import { CLI_TOOLS } from '../executors/cli/cli-tools.js';
import { silentLogger } from '../observability/logger.js';
import { binaryFolders } from '../sandbox/binary-folders.js';
import { createSandbox } from '../sandbox/create-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { lastLines } from '../sandbox/run-process-group.js';
import { errorMessage } from '../shared/errors.js';
import { covers, fixFor, result, type CheckResult, type DoctorState } from './doctor-types.js';
import { findOnPath } from './find-on-path.js';

/** How long one `--version` may take (a native CLI starts in about a second; a cold disk is slower). */
const VERSION_TIMEOUT_MS = 30_000;

const FIX_CLI_POD =
  'reinstall it in the runner image (docker/Dockerfile build arg INSTALL_CLIS; versions in scripts/real-clis.json)';
const FIX_CLI_LOCAL = 'reinstall it on this machine (the tested versions are in scripts/real-clis.json)';

/**
 * Each coding CLI on the runner's PATH (`claude`, `codex`, `gemini`, `goose`, `aider`, `opencode`) and the version it reports. The
 * binary is untrusted, so `<binary> --version` runs in the runner's sandbox (`SANDBOX`), like an activation would
 * run it: a CLI that cannot even print its version there cannot run an agent either.
 */
export async function checkCliVersions(state: DoctorState): Promise<CheckResult[]> {
  if (!covers(state, 'runner')) return [result('cli-version', 'SKIP', 'cli-version: runners only')];
  const env = state.options.env;
  const names = CLI_TOOLS.map((tool) => tool.binary()).filter((name): name is string => name !== undefined);
  const installed = names.flatMap((name) => {
    const path = findOnPath(name, env);
    return path ? [{ name, path }] : [];
  });
  if (installed.length === 0) {
    return [result('cli-version', 'PASS', `no coding CLI on PATH (looked for ${names.join(', ')})`)];
  }
  const kind = (env.SANDBOX ?? 'auto').toLowerCase();
  const sandbox = await createSandbox({
    kind: kind === 'bwrap' || kind === 'process' ? kind : 'auto',
    env,
    logger: silentLogger,
  });
  const out: CheckResult[] = [];
  const fix = fixFor(state, FIX_CLI_POD, FIX_CLI_LOCAL);
  for (const cli of installed) out.push(await versionOf(sandbox, cli.name, cli.path, fix));
  return out;
}

/** `<path> --version` in a fresh sandbox session: PASS with its first line, WARN when it fails. */
async function versionOf(sandbox: Sandbox, name: string, path: string, fix: string): Promise<CheckResult> {
  const session = await sandbox.open({ id: `doctor-${name}` });
  try {
    const run = await session.run(
      {
        command: path,
        args: ['--version'],
        readOnlyPaths: [...binaryFolders(path), dirname(process.execPath)],
        env: { DISABLE_AUTOUPDATER: '1', OPENCODE_DISABLE_AUTOUPDATE: '1' },
        timeoutMs: VERSION_TIMEOUT_MS,
      },
      AbortSignal.timeout(VERSION_TIMEOUT_MS + 5000),
    );
    const version = run.stdout.trim().split('\n')[0]?.trim();
    if (run.exitCode === 0 && version) {
      return result('cli-version', 'PASS', `${name} ${version} (${path}, ${sandbox.kind} sandbox)`);
    }
    const how = run.timedOut ? `timed out after ${VERSION_TIMEOUT_MS} ms` : `exited with code ${String(run.exitCode)}`;
    const tail = lastLines(run.stderr, 1)[0];
    return result('cli-version', 'WARN', `${name} at ${path}: --version ${how}${tail ? `: ${tail}` : ''}`, fix);
  } catch (error) {
    return result('cli-version', 'WARN', `${name} at ${path}: --version failed: ${errorMessage(error)}`, fix);
  } finally {
    await session.dispose();
  }
}
