// `npm run test:promises`: checks scripts/readme-promises.ts against README.md and the test files, so the README
// and the suite cannot drift apart. Fails (exit 1, one line per problem) when a README promise has no entry, an
// entry's quote is no longer in README, an entry names no proof, or a named test (or benchmark) does not exist.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PromiseEntry } from './promise-entry.js';
import { README_PROMISES } from './readme-promises.js';

/** The README sections whose promises must each have a proof. */
export const PROMISE_SECTIONS = ['How it works', 'Reliability and performance'] as const;

/** One thing README promises: a sentence of "How it works", a paragraph or fault-table row of "Reliability". */
export interface PromiseUnit {
  section: string;
  text: string;
}

/** The body of `## <title>` (up to the next `## `), or throws if README has no such section. */
function sectionOf(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start + title.length + 5, end < 0 ? undefined : end);
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

/** Sentences of a bullet: split after a full stop followed by a capital, a backtick or a parenthesis ("e.g." aside). */
function sentences(text: string): string[] {
  return text.split(/(?<!e\.g\.|i\.e\.)(?<=\.)\s+(?=[A-Z`(])/).filter((s) => s.length > 0);
}

/** Every promise unit of README's promise sections. */
export function readmeUnits(readme: string): PromiseUnit[] {
  const units: PromiseUnit[] = [];
  const how = sectionOf(readme, 'How it works').replace(/```[\s\S]*?```/g, '');
  for (const bullet of how.split(/\n- /).slice(1)) {
    for (const s of sentences(oneLine(bullet))) units.push({ section: 'How it works', text: s });
  }
  const reliability = sectionOf(readme, 'Reliability and performance');
  for (const block of reliability.split(/\n\s*\n/).map((b) => b.trim())) {
    if (block === '') continue;
    const lines = block.split('\n');
    // A fault table: each row is one scenario, i.e. one promise (nothing lost, no duplicates). Other tables are
    // one unit each (measured figures).
    if (lines[0]!.startsWith('| scenario |')) {
      for (const row of lines.slice(2)) units.push({ section: 'Reliability and performance', text: row.trim() });
    } else {
      units.push({ section: 'Reliability and performance', text: oneLine(block) });
    }
  }
  return units;
}

/** True when `file` has a test named exactly `name` (`it('name'`, `test("name"`, `it.each(...)('name'`). */
export function hasTest(source: string, name: string): boolean {
  const spellings = [`'${name.replaceAll("'", "\\'")}'`, `"${name.replaceAll('"', '\\"')}"`, `\`${name}\``];
  for (const quoted of spellings) {
    for (let i = source.indexOf(quoted); i >= 0; i = source.indexOf(quoted, i + 1)) {
      const before = source.slice(Math.max(0, i - 200), i).trimEnd();
      if (/(?:\bit|\btest)\($/.test(before) || /\)\($/.test(before)) return true;
    }
  }
  return false;
}

/** Problems with the map, one sentence each; empty when README and the suite agree. */
export function checkPromiseMap(
  readme: string,
  entries: readonly PromiseEntry[],
  read: (file: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  const units = readmeUnits(readme);
  for (const u of units) {
    if (!entries.some((e) => u.text.includes(e.readme)))
      problems.push(`${u.section}: no entry in scripts/readme-promises.ts proves "${u.text.slice(0, 160)}"`);
  }
  for (const e of entries) {
    if (!units.some((u) => u.text.includes(e.readme)))
      problems.push(`entry "${e.readme}": this quote is in no promise of README's ${PROMISE_SECTIONS.join(' / ')}`);
    const kinds = [e.tests !== undefined, e.bench !== undefined, e.context !== undefined].filter(Boolean).length;
    if (kinds !== 1 || (e.tests !== undefined && e.tests.length === 0))
      problems.push(`entry "${e.readme}": give exactly one of tests (at least one), bench or context`);
    if (e.bench !== undefined && read(e.bench) === undefined)
      problems.push(`entry "${e.readme}": benchmark ${e.bench} does not exist`);
    for (const ref of e.tests ?? []) {
      const source = read(ref.file);
      if (source === undefined) problems.push(`entry "${e.readme}": test file ${ref.file} does not exist`);
      else if (!hasTest(source, ref.test)) problems.push(`entry "${e.readme}": no test "${ref.test}" in ${ref.file}`);
    }
  }
  return problems;
}

/** Read a repository file, or undefined when it does not exist. */
export function readRepoFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkPromiseMap(readFileSync('README.md', 'utf8'), README_PROMISES, readRepoFile);
  if (problems.length > 0) {
    for (const p of problems) console.error(`promise map: ${p}`);
    process.exit(1);
  }
  const units = readmeUnits(readFileSync('README.md', 'utf8')).length;
  console.log(`promise map: ${units} README promises, each mapped to its proof (${README_PROMISES.length} entries)`);
}
