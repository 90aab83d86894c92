import { z } from 'zod';
import type { Component, EnvKind, EnvVarSpec } from './env-vars.js';

/** Whether this process runs in a Kubernetes pod (the kubelet sets KUBERNETES_SERVICE_HOST in every container). */
export function inKubernetes(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST?.trim());
}

/**
 * Where an operator fixes a variable: in a pod, the ConfigMap or the Secret of the deployment; on a laptop, the
 * environment of the shell that starts the command.
 */
export function whereToSet(spec: EnvVarSpec, env: NodeJS.ProcessEnv = {}): string {
  if (inKubernetes(env))
    return spec.secret ? 'set it in Secret botburrow-agents-secrets' : 'set it in ConfigMap botburrow-agents-config';
  const example = exampleValue(spec);
  return spec.secret
    ? `set it in the environment: export ${spec.name}=... in your shell`
    : `set it in the environment, e.g. export ${spec.name}=${example}`;
}

/** Where a secret variable goes, for messages: the deployment's Secret in a pod, the shell's environment elsewhere. */
export function secretHome(name: string, env: NodeJS.ProcessEnv): string {
  return inKubernetes(env) ? 'in Secret botburrow-agents-secrets' : `in the environment (export ${name}=...)`;
}

/** A valid value of a variable, for messages. */
function exampleValue(spec: EnvVarSpec): string {
  const kind = spec.kind;
  switch (kind.type) {
    case 'url':
      return kind.example ?? 'http://host:port';
    case 'enum':
      return kind.values[0] ?? '...';
    case 'boolean':
      return 'true';
    case 'positive-int':
    case 'non-negative-int':
    case 'port':
      return spec.default ?? '1';
    case 'string':
      return '...';
  }
}

/** A value given as a command-line flag instead of a variable: errors then name the flag. */
export interface FlagValue {
  flag: string;
  value: string;
}

function kindSchema(kind: EnvKind): { schema: z.ZodType<unknown>; expect: string } {
  switch (kind.type) {
    case 'string':
      return { schema: z.string().min(1), expect: 'must not be empty' };
    case 'url':
      return {
        schema: z.string().refine((s) => URL.canParse(s), 'invalid url'),
        expect: `must be a URL such as ${kind.example ?? 'http://host:port'}`,
      };
    case 'positive-int':
      return {
        schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().positive()),
        expect: 'must be a positive integer',
      };
    case 'non-negative-int':
      return {
        schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(0)),
        expect: 'must be a non-negative integer',
      };
    case 'port':
      return {
        schema: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(0).max(65535)),
        expect: 'must be a port number 0-65535',
      };
    case 'boolean':
      return {
        schema: z
          .string()
          .transform((s) => s.toLowerCase())
          .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
          .transform((s) => s === 'true' || s === '1' || s === 'yes'),
        expect: 'must be true or false',
      };
    case 'enum': {
      const values = kind.values as [string, ...string[]];
      const schema = kind.caseInsensitive
        ? z
            .string()
            .transform((s) => values.find((v) => v.toLowerCase() === s.toLowerCase()) ?? s)
            .pipe(z.enum(values))
        : z.enum(values);
      return { schema, expect: `must be one of ${values.join('|')}` };
    }
  }
}

/** The raw value of a variable, looking at its aliases after its own name; empty strings count as unset. */
export function rawValue(spec: EnvVarSpec, env: NodeJS.ProcessEnv): { name: string; value: string } | undefined {
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/**
 * Parse the given variables from `env` for `component`. Returns a record of parsed values (undefined when unset
 * with no default) and the list of problems; secret values are never quoted in a problem. `flags` holds values
 * given as command-line flags (by variable name): they win over the environment and problems name the flag.
 */
export function readEnv(
  specs: readonly EnvVarSpec[],
  component: Component,
  env: NodeJS.ProcessEnv,
  flags: Readonly<Record<string, FlagValue>> = {},
): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const spec of specs) {
    const flag = flags[spec.name];
    const raw = flag ? { name: flag.flag, value: flag.value } : rawValue(spec, env);
    const value = raw?.value ?? spec.default;
    if (value === undefined) {
      if (spec.requiredBy?.includes(component)) problems.push(`${spec.name} is required (${whereToSet(spec, env)})`);
      continue;
    }
    const { schema, expect } = kindSchema(spec.kind);
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      values[spec.name] = parsed.data;
    } else {
      const shown = spec.secret ? '<redacted>' : JSON.stringify(value);
      problems.push(
        flag
          ? `${flag.flag} ${expect}, got ${shown}`
          : `${raw?.name ?? spec.name} ${expect}, got ${shown} (${whereToSet(spec, env)})`,
      );
    }
  }
  return { values, problems };
}
