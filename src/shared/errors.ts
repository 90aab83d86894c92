/**
 * The one error base of the project (house style 2.5). `code` is a literal union per area so callers can
 * branch on it; `data` carries small ids (agent, activation) and never secrets or stacks.
 */
export class AppError<C extends string = string> extends Error {
  readonly code: C;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: { cause?: unknown; data?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = Object.freeze({ ...(options.data ?? {}) });
  }
}

/** Configuration is wrong: the process must not start (exit code 78, EX_CONFIG). */
export class ConfigError extends AppError<'config_invalid'> {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('config_invalid', `config error: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** Transient: retrying the same operation later may succeed (network, 5xx, Redis down). */
export class RetryableError extends AppError {}

/** Retrying will not help (bad definition, missing executor, 4xx): fail the work, do not retry now. */
export class PermanentError extends AppError {}

/** Exit code for configuration errors (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** Narrow an unknown thrown value to a message string. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
