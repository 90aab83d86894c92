// The shape of one entry of the README promise map (scripts/readme-promises.ts, checked by scripts/promise-map.ts).

/** A test that proves a promise. */
export interface TestRef {
  /** Path from the repository root. */
  file: string;
  /** The test's exact name, as written in `it('...')`. */
  test: string;
}

/** One promise (or a group of README sentences that share the same proof). */
export interface PromiseEntry {
  /** A quote from README; every README unit containing it is covered by this entry. */
  readme: string;
  /** The tests that prove it. */
  tests?: TestRef[];
  /** A measured figure: the benchmark that measures it (timing belongs to bench/, not to tests). */
  bench?: string;
  /** Not a promise (the measuring conditions, a heading); why. */
  context?: string;
}

/** `tests` of an entry: several tests of one file. */
export const testsIn = (file: string, ...names: string[]): TestRef[] => names.map((test) => ({ file, test }));

/** Entries for README units measured by one benchmark, one per quote. */
export const benchOf = (bench: string, ...quotes: string[]): PromiseEntry[] =>
  quotes.map((readme) => ({ readme, bench }));
