import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Variables copied from the runner's environment into every sandbox (nothing else is). */
export const ENV_ALLOWLIST = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM'] as const;

/** Proxy variables copied too when the session has network (so an egress proxy can filter endpoints). */
export const NETWORK_ENV_ALLOWLIST = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/**
 * The environment of a sandboxed command: the allowlisted variables of `base`, `HOME`/`TMPDIR`, then `extra`
 * (which the executor fills with exactly what the tool needs, e.g. its LLM key).
 */
export function sandboxEnv(options: {
  base: Readonly<Record<string, string | undefined>>;
  home: string;
  tmpdir: string;
  network: boolean;
  extra?: Readonly<Record<string, string>>;
}): Record<string, string> {
  const env: Record<string, string> = {};
  const names = [...ENV_ALLOWLIST, ...(options.network ? NETWORK_ENV_ALLOWLIST : [])];
  for (const name of names) {
    const value = options.base[name];
    if (value) env[name] = value;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.HOME = options.home;
  env.TMPDIR = options.tmpdir;
  return { ...env, ...options.extra };
}

/** The absolute path of `name` on `path` (or `name` itself when it is a path), if it is executable. */
export function findExecutable(name: string, path: string | undefined): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : (path ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    if (!isAbsolute(candidate)) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `prlimit` arguments applying `limits`, to prefix a command with. */
export function prlimitArgs(limits: { memoryMb: number; cpuSeconds: number; maxProcs: number }): string[] {
  // SANDBOX_MEMORY_MB=0 leaves the address space unlimited (the pod's memory limit applies instead).
  const as = limits.memoryMb > 0 ? [`--as=${limits.memoryMb * 1024 * 1024}`] : [];
  return [...as, `--cpu=${limits.cpuSeconds}`, `--nproc=${limits.maxProcs}`, '--'];
}
