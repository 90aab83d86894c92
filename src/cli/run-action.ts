import { secretRedactor } from '../observability/redaction.js';
import { AppError, ConfigError, EXIT_CONFIG, errorMessage } from '../shared/errors.js';

/**
 * Wrap a subcommand action: errors print once (`code: message`) and set the exit code; configuration errors
 * exit 78 (EX_CONFIG) so Kubernetes shows a clear CrashLoopBackOff reason.
 */
export function runAction<A extends unknown[]>(
  action: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await action(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      // Error text may quote a secret (a CLI's stderr, a URL with a password): redacted as the logs are.
      const redact = secretRedactor(process.env);
      if (error instanceof ConfigError) {
        console.error(redact(error.message));
        process.exitCode = EXIT_CONFIG;
      } else if (error instanceof AppError) {
        console.error(redact(`${error.code}: ${error.message}`));
        process.exitCode = 1;
      } else {
        console.error(redact(`error: ${errorMessage(error)}`));
        process.exitCode = 1;
      }
    }
  };
}

/** Placeholder action for a subcommand whose issue has not landed yet: says so and exits 2. */
export function notYetAvailable(command: string, issue: number): () => void {
  return () => {
    console.error(`${command}: not available in this build yet (tracked in issue #${issue})`);
    process.exitCode = 2;
  };
}
