import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Every Lua script of the store, by command name (the file name `<verb>-<nkeys>.lua` in camelCase). */
export type ScriptName =
  | 'enqueue'
  | 'claim'
  | 'ack'
  | 'ackClaim'
  | 'extendLease'
  | 'reap'
  | 'requeueDead'
  | 'recordFailure'
  | 'acquireLeader'
  | 'renewLeader'
  | 'releaseLeader'
  | 'startActivation'
  | 'touchActivation'
  | 'heartbeatRunner'
  | 'addEvent'
  | 'addEventBelow'
  | 'countAndOldest'
  | 'restoreClaim';

/** A loaded script's source with its includes resolved. */
export interface ScriptSource {
  name: ScriptName;
  numberOfKeys: number;
  lua: string;
}

const LUA_DIR = new URL('./lua/', import.meta.url);
const INCLUDE = /^--- @include "([\w-]+)"$/gm;
const FILE = /^([a-z-]+)-(\d+)\.lua$/;

const camel = (kebab: string): string => kebab.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

let read: ScriptSource[] | undefined;

/**
 * Every `lua/<verb>-<nkeys>.lua`, resolving `--- @include "name"` lines from `lua/includes/name.lua`; read once per
 * process (each connection that runs scripts defines them: the main one and every blocking one).
 */
export function readScripts(): ScriptSource[] {
  read ??= readdirSync(LUA_DIR).flatMap((file) => {
    const m = FILE.exec(file);
    if (!m) return [];
    const raw = readFileSync(new URL(file, LUA_DIR), 'utf8');
    const lua = raw.replace(INCLUDE, (_l, inc: string) =>
      readFileSync(new URL(`includes/${inc}.lua`, LUA_DIR), 'utf8'),
    );
    return [{ name: camel(m[1]!) as ScriptName, numberOfKeys: Number(m[2]), lua }];
  });
  return read;
}

/** Runs the store's scripts on one connection (EVALSHA, falling back to EVAL after a SCRIPT FLUSH). */
export class ScriptRunner {
  private readonly keyCounts = new Map<ScriptName, number>();

  constructor(private readonly redis: Redis) {
    for (const s of readScripts()) {
      redis.defineCommand(s.name, { numberOfKeys: s.numberOfKeys, lua: s.lua });
      this.keyCounts.set(s.name, s.numberOfKeys);
    }
  }

  /** Run one script. `keys` must have the script's key count (checked: a mismatch is a bug). */
  run(name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.keyCounts.get(name) !== keys.length) throw new Error(`script ${name}: wrong key count ${keys.length}`);
    const command = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name]!;
    return command.call(this.redis, ...keys, ...args);
  }
}
