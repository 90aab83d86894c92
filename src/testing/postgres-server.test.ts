// The private PostgreSQL helper: its own cluster on its own port (not 5432) with a `test` database, and stop()
// really ends it and removes its files.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { expect, it } from 'vitest';
import { startPostgresServer } from './postgres-server.js';

it('starts a private cluster with the databases asked for, and stop() removes it', async () => {
  const server = await startPostgresServer({ databases: ['test', 'other'] });
  try {
    expect(server.port).not.toBe(5432);
    const r = await server.admin('test', 'SELECT current_database() AS db, current_user AS me');
    expect(r.rows).toEqual([{ db: 'test', me: 'postgres' }]);
    expect((await server.admin('other', 'SELECT current_database() AS db')).rows).toEqual([{ db: 'other' }]);
    expect(existsSync(server.socketDir)).toBe(true);
  } finally {
    await server.stop();
  }
  expect(existsSync(server.socketDir)).toBe(false);
  const c = new pg.Client({ connectionString: server.url('test') });
  await expect(c.connect()).rejects.toThrow();
});
