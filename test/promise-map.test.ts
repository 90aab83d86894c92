// `npm test` runs the promise map check (also `npm run test:promises`): every promise of README's "How it works"
// and "Reliability and performance" names the test that proves it, and that test exists. The checker itself is
// shown to fail on an unmapped promise, a stale quote and a missing test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPromiseMap, hasTest, readRepoFile, readmeUnits } from '../scripts/promise-map.js';
import { README_PROMISES } from '../scripts/readme-promises.js';

const readme = readFileSync('README.md', 'utf8');

describe('README promise map', () => {
  it('maps every README promise to a test (or benchmark) that exists', () => {
    expect(checkPromiseMap(readme, README_PROMISES, readRepoFile)).toEqual([]);
    expect(readmeUnits(readme).filter((u) => u.section === 'How it works').length).toBeGreaterThan(20);
  });

  it('fails on a promise without an entry, a quote gone from README and a test that does not exist', () => {
    const added = readme.replace(
      'A SIGKILLed runner loses nothing.',
      'A SIGKILLed runner loses nothing. Runners also make coffee.',
    );
    expect(checkPromiseMap(added, README_PROMISES, readRepoFile)).toEqual([
      'How it works: no entry in scripts/readme-promises.ts proves "Runners also make coffee."',
    ]);
    const dropped = readme.replace('`0` disables agent-to-agent answers.', '');
    expect(checkPromiseMap(dropped, README_PROMISES, readRepoFile)).toEqual([
      'entry "`0` disables agent-to-agent answers.": this quote is in no promise of README\'s How it works / Reliability and performance',
    ]);
    const renamed = README_PROMISES.map((e) =>
      e.readme === 'A SIGKILLed runner loses nothing.'
        ? { ...e, tests: [{ file: 'test/e2e/runner-kill.test.ts', test: 'no such test' }] }
        : e,
    );
    expect(checkPromiseMap(readme, renamed, readRepoFile)).toEqual([
      'entry "A SIGKILLed runner loses nothing.": no test "no such test" in test/e2e/runner-kill.test.ts',
    ]);
  });

  it('finds a test only in an it()/test() call, not in a describe name or a comment', () => {
    const source = [
      "describe('a group', () => {",
      '  // mentions the answer is posted',
      "  it('the answer is posted', () => {});",
      '  it.each([1, 2])("runs %s", () => {});',
      '});',
    ].join('\n');
    expect(hasTest(source, 'the answer is posted')).toBe(true);
    expect(hasTest(source, 'runs %s')).toBe(true);
    expect(hasTest(source, 'a group')).toBe(false);
    expect(hasTest(source, 'mentions the answer is posted')).toBe(false);
  });
});
