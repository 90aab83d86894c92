import { realpathSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '../shared/clock.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { AgentDefinition } from './agent-definition.js';
import { agentPaths, readAgentDefinition } from './read-definition.js';

/** Read access to the agent definitions folder. */
export interface AgentDefinitions {
  /** Load (or serve from cache) one agent. @throws AgentDefinitionError */
  load(name: string): Promise<AgentDefinition>;
  /** Names of every folder under agents/ that holds a config.yaml, sorted. */
  list(): Promise<string[]>;
  /** The definitions root as configured. */
  readonly root: string;
}

interface CacheEntry {
  definition: AgentDefinition;
  fingerprint: string;
  loadedAtMs: number;
}

/** How many definitions a {@link FileAgentDefinitions} keeps, by default (the least recently loaded go first). */
export const DEFAULT_CACHED_DEFINITIONS = 1_000;

/**
 * File-backed definitions with a cache. An entry is served while it is younger than the agent's `cache_ttl` AND
 * its files are unchanged: each load re-stats config.yaml, system-prompt.md and the skill files and resolves the
 * root's real path, so an edit or a git-sync symlink swap is picked up on the next load. The cache holds at most
 * `maxCached` definitions (least recently loaded dropped first): a coordinator that looks at every agent of a large
 * definitions repo once does not keep them all in memory.
 */
export class FileAgentDefinitions implements AgentDefinitions {
  readonly root: string;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxCached: number;

  constructor(options: { root: string; clock?: Clock; logger?: Logger; maxCached?: number }) {
    this.root = resolve(options.root);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.maxCached = options.maxCached ?? DEFAULT_CACHED_DEFINITIONS;
  }

  /** How many definitions the cache holds now. */
  get cachedCount(): number {
    return this.cache.size;
  }

  async load(name: string): Promise<AgentDefinition> {
    const cached = this.cache.get(name);
    const now = this.clock.now();
    if (cached && now - cached.loadedAtMs < cached.definition.config.cache_ttl * 1000) {
      const fingerprint = this.fingerprint(name, cached.definition);
      if (fingerprint === cached.fingerprint) {
        // Most recently used last: a Map iterates in insertion order, so its first key is the one to drop.
        if (this.cache.get(name) === cached) {
          this.cache.delete(name);
          this.cache.set(name, cached);
        }
        return cached.definition;
      }
    }
    // Config and prompt are stat'ed before the read too: a file changed while it was read leaves an entry that the
    // next load reads again, never a stale definition filed under the new fingerprint.
    const before = this.fingerprint(name, undefined);
    const definition = await readAgentDefinition(this.root, name);
    const fingerprint = this.fingerprint(name, definition);
    const settled = fingerprint.startsWith(`${before}|`) || fingerprint === before;
    this.cache.delete(name);
    this.cache.set(name, { definition, fingerprint: settled ? fingerprint : '', loadedAtMs: now });
    while (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    for (const warning of definition.warnings) this.logger.warn('agent_config_warning', { agent_id: name, warning });
    this.logger.debug('agent_config_loaded', { agent_id: name, reload: cached !== undefined });
    return definition;
  }

  async list(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(join(this.root, 'agents'));
    } catch {
      return [];
    }
    // Stat in parallel chunks: 100,000 folders are listed in well under a second, not one stat after another.
    const names: string[] = [];
    for (let i = 0; i < entries.length; i += LIST_CHUNK) {
      const chunk = entries.slice(i, i + LIST_CHUNK);
      const found = await Promise.all(chunk.map((entry) => exists(agentPaths(this.root, entry).config)));
      chunk.forEach((entry, j) => {
        if (found[j]) names.push(entry);
      });
    }
    return names.sort();
  }

  /**
   * Real root, then inode, size, mtime and ctime of config, prompt and (with `definition`) its skills. Stat'ed
   * synchronously: a handful of local files per activation, where a promise stat costs a thread-pool round trip each.
   */
  private fingerprint(name: string, definition: AgentDefinition | undefined): string {
    const paths = agentPaths(this.root, name);
    const files = [paths.config, paths.systemPrompt, ...(definition?.skills.map((s) => s.path) ?? [])];
    let root = this.root;
    try {
      root = realpathSync.native(this.root);
    } catch {
      // A missing root shows as missing files below.
    }
    const parts = [root];
    for (const file of files) parts.push(statPart(file));
    return parts.join('|');
  }
}

function statPart(file: string): string {
  try {
    const s = statSync(file, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : 'missing';
  } catch {
    return 'missing';
  }
}

/** Folders whose config.yaml is stat'ed at once by `list()`. */
const LIST_CHUNK = 256;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
