import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createProxyAwareFetch, type FetchLike } from '../hub/proxy-fetch.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { AppError, errorMessage } from '../shared/errors.js';

/** `github_fetch_failed`: a GitHub request failed (network, proxy, 401/403/404); the message names the URL. */
export class GitHubSyncError extends AppError<'github_fetch_failed'> {}

/** Options of {@link GitHubDefinitionsSync}. */
export interface GitHubDefinitionsSyncOptions {
  /** `owner/repo` (AGENT_DEFINITIONS_REPO). */
  repo: string;
  /** Branch, tag or commit (AGENT_DEFINITIONS_BRANCH). @default 'main' */
  branch?: string;
  /** Token for private repositories and a higher rate limit (GITHUB_TOKEN). */
  token?: string;
  /** Where snapshots are written; the definitions root is `<cacheDir>/current`. */
  cacheDir: string;
  /** @default 'https://api.github.com' */
  apiBaseUrl?: string;
  /** @default 'https://raw.githubusercontent.com' */
  rawBaseUrl?: string;
  /** @default createProxyAwareFetch(env): honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY */
  fetch?: FetchLike;
  /** Environment for the default fetch's proxy settings. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Per-request timeout. @default 30000 */
  timeoutMs?: number;
  logger?: Logger;
}

/** Defaults of {@link GitHubDefinitionsSyncOptions}. */
export const GITHUB_SYNC_DEFAULTS = {
  branch: 'main',
  apiBaseUrl: 'https://api.github.com',
  rawBaseUrl: 'https://raw.githubusercontent.com',
  timeoutMs: 30_000,
} as const;

/** What one sync wrote. */
export interface SyncResult {
  /** The definitions root to hand to `FileAgentDefinitions` (a symlink to the newest snapshot). */
  root: string;
  agents: string[];
  skills: string[];
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const GIT_SYNC_HINT =
  'if the pod cannot reach GitHub, use git-sync (local mode: deploy the git-sync sidecar and point AGENT_DEFINITIONS_PATH at its checkout) or set HTTPS_PROXY';

/**
 * GitHub mode of the agent definitions (ADR-028): downloads `agents/<name>/{config.yaml,system-prompt.md}` and
 * `skills/<skill>/SKILL.md` over HTTPS (contents API to list, raw to download) into a snapshot directory, then
 * atomically points `<cacheDir>/current` at it, so `FileAgentDefinitions` reads it and validation stays in one
 * place. A failed sync leaves the previous snapshot in place.
 */
export class GitHubDefinitionsSync {
  private readonly opts: Required<Omit<GitHubDefinitionsSyncOptions, 'token' | 'env'>> & { token?: string };

  constructor(options: GitHubDefinitionsSyncOptions) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(options.repo)) {
      throw new GitHubSyncError(
        'github_fetch_failed',
        `AGENT_DEFINITIONS_REPO must be owner/repo, got ${JSON.stringify(options.repo)}`,
      );
    }
    this.opts = {
      repo: options.repo,
      branch: options.branch ?? GITHUB_SYNC_DEFAULTS.branch,
      token: options.token,
      cacheDir: options.cacheDir,
      apiBaseUrl: options.apiBaseUrl ?? GITHUB_SYNC_DEFAULTS.apiBaseUrl,
      rawBaseUrl: options.rawBaseUrl ?? GITHUB_SYNC_DEFAULTS.rawBaseUrl,
      fetch: options.fetch ?? createProxyAwareFetch(options.env ?? process.env),
      timeoutMs: options.timeoutMs ?? GITHUB_SYNC_DEFAULTS.timeoutMs,
      logger: options.logger ?? silentLogger,
    };
  }

  /** The definitions root (`<cacheDir>/current`), valid once a sync has succeeded. */
  get root(): string {
    return join(this.opts.cacheDir, 'current');
  }

  /** Download everything and switch `current` to it. @throws GitHubSyncError naming the URL and suggesting git-sync */
  async sync(): Promise<SyncResult> {
    const agents = await this.listDirs('agents', true);
    const skills = await this.listDirs('skills', false);
    const files = new Map<string, string>();
    for (const agent of agents) {
      files.set(`agents/${agent}/config.yaml`, (await this.raw(`agents/${agent}/config.yaml`)) ?? '');
      const prompt = await this.raw(`agents/${agent}/system-prompt.md`, true);
      if (prompt !== undefined) files.set(`agents/${agent}/system-prompt.md`, prompt);
    }
    for (const skill of skills) {
      const text = await this.raw(`skills/${skill}/SKILL.md`, true);
      if (text !== undefined) files.set(`skills/${skill}/SKILL.md`, text);
    }
    await this.install(files);
    this.opts.logger.info('agent_definitions_synced', {
      repo: this.opts.repo,
      branch: this.opts.branch,
      agents: agents.length,
      skills: skills.length,
    });
    return { root: this.root, agents, skills };
  }

  private async listDirs(folder: string, required: boolean): Promise<string[]> {
    const { apiBaseUrl, repo, branch } = this.opts;
    const url = `${apiBaseUrl.replace(/\/+$/, '')}/repos/${repo}/contents/${folder}?ref=${encodeURIComponent(branch)}`;
    const text = await this.get(url, !required);
    if (text === undefined) return [];
    let entries: unknown;
    try {
      entries = JSON.parse(text);
    } catch {
      throw this.failure(url, 'the answer is not JSON');
    }
    if (!Array.isArray(entries)) throw this.failure(url, `${folder} is not a folder`);
    return entries
      .filter((e): e is { name: string; type: string } => typeof (e as { name?: unknown }).name === 'string')
      .filter((e) => e.type === 'dir' && SAFE_NAME.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  private raw(path: string, optional = false): Promise<string | undefined> {
    const { rawBaseUrl, repo, branch } = this.opts;
    return this.get(`${rawBaseUrl.replace(/\/+$/, '')}/${repo}/${encodeURIComponent(branch)}/${path}`, optional);
  }

  /** GET a URL as text; 404 gives undefined when `optional`. */
  private async get(url: string, optional: boolean): Promise<string | undefined> {
    const headers: Record<string, string> = { 'user-agent': 'botburrow-agents', accept: 'application/vnd.github+json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let response: Response;
    try {
      response = await this.opts.fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (error) {
      throw this.failure(url, errorMessage(error), error);
    }
    if (response.status === 404 && optional) return undefined;
    if (!response.ok) {
      const hint = response.status === 401 || response.status === 403 ? ' (check GITHUB_TOKEN)' : '';
      throw this.failure(url, `HTTP ${response.status}${hint}`);
    }
    return response.text();
  }

  private failure(url: string, reason: string, cause?: unknown): GitHubSyncError {
    return new GitHubSyncError(
      'github_fetch_failed',
      `Could not fetch agent definitions from ${url}: ${reason}; ${GIT_SYNC_HINT}`,
      { cause, data: { url } },
    );
  }

  /** Write a snapshot, swing `current` to it (rename over the old link), remove older snapshots. */
  private async install(files: ReadonlyMap<string, string>): Promise<void> {
    const { cacheDir } = this.opts;
    const snapshot = join(cacheDir, `snapshot-${Date.now()}-${randomUUID().slice(0, 8)}`);
    for (const [path, text] of files) {
      await mkdir(dirname(join(snapshot, path)), { recursive: true });
      await writeFile(join(snapshot, path), text);
    }
    await mkdir(join(snapshot, 'agents'), { recursive: true });
    await mkdir(join(snapshot, 'skills'), { recursive: true });
    const previous = await readlink(this.root).catch(() => undefined);
    const link = join(cacheDir, `.current-${randomUUID().slice(0, 8)}`);
    await symlink(basename(snapshot), link);
    await rename(link, this.root);
    for (const entry of await readdir(cacheDir)) {
      if (entry.startsWith('snapshot-') && entry !== basename(snapshot) && entry !== previous) {
        await rm(join(cacheDir, entry), { recursive: true, force: true });
      }
    }
  }
}

/** Default snapshot folder of GitHub mode (under the temp dir: writable with a read-only root filesystem). */
export const DEFAULT_GITHUB_CACHE_DIR = join(tmpdir(), 'botburrow-agent-definitions');

/**
 * The definitions root a process should read: `path` when it exists (local mode, git-sync); otherwise, when
 * `AGENT_DEFINITIONS_REPO` is set, a fresh GitHub sync (GitHub mode); otherwise `path` (errors name it).
 * @throws GitHubSyncError when GitHub mode is chosen and the fetch fails
 */
export async function resolveDefinitionsRoot(options: {
  path: string;
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  cacheDir?: string;
  apiBaseUrl?: string;
  rawBaseUrl?: string;
}): Promise<string> {
  const repo = options.env.AGENT_DEFINITIONS_REPO?.trim();
  const local = await stat(options.path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (local || !repo) return options.path;
  const cacheDir = options.cacheDir ?? DEFAULT_GITHUB_CACHE_DIR;
  await mkdir(cacheDir, { recursive: true });
  const sync = new GitHubDefinitionsSync({
    repo,
    branch: options.env.AGENT_DEFINITIONS_BRANCH?.trim() || undefined,
    token: options.env.GITHUB_TOKEN?.trim() || undefined,
    cacheDir,
    apiBaseUrl: options.apiBaseUrl,
    rawBaseUrl: options.rawBaseUrl,
    env: options.env,
    logger: options.logger,
  });
  return (await sync.sync()).root;
}
