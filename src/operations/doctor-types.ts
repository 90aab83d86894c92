import type { AgentDefinition } from '../agents/agent-definition.js';
import { inKubernetes } from '../config/env-reader.js';
import type { SharedConfig } from '../config/schema.js';
import type { ExecutorRegistry } from '../executors/executor-registry.js';
import type { HubClient } from '../hub/hub-client.js';
import type { Store } from '../store/store.js';
import type { StoreTarget } from './store-target.js';

/**
 * Outcome of one diagnosis: `PASS` fine; `WARN` works but needs attention; `FAIL` the deployment is broken (doctor
 * exits 1); `SKIP` could not be checked because an earlier check failed or it does not apply to the component.
 */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

/** One line of the doctor report. `fix` is the troubleshooting guide's remedy in one line (WARN/FAIL only). */
export interface CheckResult {
  /** Stable id of the check (`redis`, `hub-auth`, `runner-coverage`…), the same for every line it yields. */
  check: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

/** The component a doctor run diagnoses; `all` = both (a workstation). */
export type DoctorComponent = 'coordinator' | 'runner' | 'all';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default 'all' */
  component?: DoctorComponent;
  /** Queue items older than this are reported. @default 10 */
  staleMinutes?: number;
  /** Redis round trips slower than this warn. @default 50 */
  slowRedisMs?: number;
  /** Per-request timeout of Hub and Redis probes. @default 5000 */
  timeoutMs?: number;
  /** The executors to check agents against. @default createExecutorRegistry() */
  executors?: ExecutorRegistry;
  /** GitHub endpoints of GitHub mode (tests point them at a loopback fake). @default api.github.com, raw.githubusercontent.com */
  github?: { apiBaseUrl?: string; rawBaseUrl?: string };
  /** @default Date.now */
  now?: () => number;
  /**
   * The store to diagnose (`--store`, VALKEY_URL or a running dev mode), or why none could be picked.
   * @default the configuration's VALKEY_URL
   */
  storeTarget?: StoreTarget | Error;
}

/** Resolved {@link DoctorOptions}. */
export interface ResolvedDoctorOptions {
  env: NodeJS.ProcessEnv;
  component: DoctorComponent;
  staleMinutes: number;
  slowRedisMs: number;
  timeoutMs: number;
  executors: ExecutorRegistry;
  github: { apiBaseUrl?: string; rawBaseUrl?: string };
  now: () => number;
  storeTarget?: StoreTarget | Error;
}

/** Defaults of {@link DoctorOptions}. */
export const DOCTOR_DEFAULTS = { component: 'all', staleMinutes: 10, slowRedisMs: 50, timeoutMs: 5000 } as const;

/** What earlier checks hand to later ones; a missing field means that part could not be reached or read. */
export interface DoctorState {
  options: ResolvedDoctorOptions;
  config?: SharedConfig;
  store?: Store;
  /** The running dev mode whose store the coordination checks read through its admin endpoint. */
  devStore?: Extract<StoreTarget, { kind: 'dev' }>;
  hub?: Pick<HubClient, 'health' | 'listAgentsWithNotifications'>;
  /** The definitions folder that was read (local path, or the GitHub cache). */
  definitionsRoot?: string;
  /** Agents that loaded and validated. */
  agents: AgentDefinition[];
}

/** One group of checks: reads and extends the state, returns its lines. */
export type DoctorCheck = (state: DoctorState) => Promise<CheckResult[]>;

/** Whether the diagnosed process runs in a Kubernetes pod: fixes then name kubectl, ConfigMaps and Secrets. */
export function inPod(state: Pick<DoctorState, 'options'>): boolean {
  return inKubernetes(state.options.env);
}

/** The fix for where the doctor runs: `pod` in Kubernetes, `local` on a workstation. */
export function fixFor(state: Pick<DoctorState, 'options'>, pod: string, local: string): string {
  return inPod(state) ? pod : local;
}

/** Build a result line. */
export function result(check: string, status: CheckStatus, message: string, fix?: string): CheckResult {
  return fix === undefined || status === 'PASS' || status === 'SKIP'
    ? { check, status, message }
    : { check, status, message, fix };
}

/** Whether a run diagnoses `component` (true for `all`). */
export function covers(state: DoctorState, component: 'coordinator' | 'runner'): boolean {
  return state.options.component === 'all' || state.options.component === component;
}
