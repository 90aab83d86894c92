import { afterEach, describe, expect, it } from 'vitest';
import { ChildService } from './child-service.js';

/** A child that prints `lines` (JSON log lines), one every 30 ms, then stays up until killed. */
const printing = (lines: string[], options?: ConstructorParameters<typeof ChildService>[3]): ChildService =>
  new ChildService(
    [],
    process.env,
    [
      '-e',
      `const lines = ${JSON.stringify(lines)}; let i = 0;
       const t = setInterval(() => { if (i < lines.length) process.stdout.write(lines[i++] + '\\n'); }, 30);
       process.on('SIGTERM', () => { clearInterval(t); process.exit(0); });`,
    ],
    options,
  );

describe('ChildService', () => {
  const children: ChildService[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) await child.stop();
  });

  it('waitForLine resolves with a line logged later, and with one already logged', async () => {
    const child = printing(['{"event":"a"}', '{"event":"b","n":1}', '{"event":"b","n":2}']);
    children.push(child);
    const second = await child.waitForLine((l) => l.event === 'b' && l.n === 2, 10_000, 'second b');
    expect(second).toEqual({ event: 'b', n: 2 });
    expect(await child.waitForLine((l) => l.event === 'a', 10, 'a')).toEqual({ event: 'a' });
  });

  it('waitForLine rejects after its timeout, naming what it waited for, and stops listening', async () => {
    const child = printing(['{"event":"a"}']);
    children.push(child);
    await expect(child.waitForLine((l) => l.event === 'never', 300, 'the never line')).rejects.toThrow(
      /no line after 300 ms: the never line/,
    );
    expect((child as unknown as { lineWaiters: Set<unknown> }).lineWaiters.size).toBe(0);
  });

  it('lists lines that repeat a key, unless checkDuplicateKeys is off', async () => {
    const repeated = '{"event":"x","agent_id":"a","agent_id":"b"}';
    const checked = printing([repeated, '{"event":"done"}']);
    const unchecked = printing([repeated, '{"event":"done"}'], { checkDuplicateKeys: false });
    children.push(checked, unchecked);
    await checked.waitForLine((l) => l.event === 'done', 10_000, 'done');
    await unchecked.waitForLine((l) => l.event === 'done', 10_000, 'done');
    expect(checked.duplicateKeyLines).toEqual([repeated]);
    expect(unchecked.duplicateKeyLines).toEqual([]);
    expect(unchecked.lines.map((l) => l.event)).toEqual(['x', 'done']);
  });
});
