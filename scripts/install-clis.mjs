#!/usr/bin/env node
// Installs the real coding CLIs the end-to-end tests run (scripts/real-clis.json: { package, version, bin }, pinned)
// from the npm registry into a cache folder, one npm prefix per package@version, reused when present:
//   <cache>/<package>@<version>/node_modules/.bin/<bin>     (cache: $BOTBURROW_CLI_CACHE or ~/.cache/botburrow-agents/clis)
// then links every bin into <cache>/bin and prints that folder on stdout (progress goes to stderr), so
//   export BOTBURROW_REAL_CLIS="$(node scripts/install-clis.mjs)"
// They are not devDependencies: the native binaries are ~400 MB each. Each install is checked with `<bin> --version`
// (it must print the pinned version). Options: --only <bin,...> (a subset), --cache <dir>.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const cache = option('--cache') ?? process.env.BOTBURROW_CLI_CACHE ?? join(homedir(), '.cache/botburrow-agents/clis');
const only = option('--only')?.split(',');
const log = (line) => process.stderr.write(`install-clis: ${line}\n`);

const list = JSON.parse(readFileSync(join(here, 'real-clis.json'), 'utf8'));
for (const entry of list) {
  for (const key of ['package', 'version', 'bin']) {
    if (typeof entry[key] !== 'string' || !entry[key]) throw new Error(`real-clis.json: entry without "${key}"`);
  }
  if (!/^\d+\.\d+\.\d+/.test(entry.version)) throw new Error(`real-clis.json: ${entry.package} is not pinned`);
}
const wanted = only ? list.filter((e) => only.includes(e.bin)) : list;
if (only && wanted.length !== only.length) throw new Error(`--only ${only.join(',')}: not all in real-clis.json`);

/** `<bin> --version`, which must mention the pinned version. */
function checkVersion(binPath, entry) {
  const out = execFileSync(binPath, ['--version'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? homedir(), DISABLE_AUTOUPDATER: '1' },
  }).trim();
  if (!out.includes(entry.version)) throw new Error(`${binPath} --version printed "${out}", not ${entry.version}`);
  return out;
}

const binDir = join(cache, 'bin');
mkdirSync(binDir, { recursive: true });
for (const entry of wanted) {
  const spec = `${entry.package}@${entry.version}`;
  const prefix = join(cache, spec);
  const binPath = join(prefix, 'node_modules/.bin', entry.bin);
  const done = join(prefix, '.installed');
  if (existsSync(done) && existsSync(binPath)) {
    log(`${spec}: cached in ${prefix}`);
  } else {
    const started = Date.now();
    const partial = `${prefix}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    log(`${spec}: installing from the npm registry`);
    // The packages' postinstall picks the platform binary; their engines field may ask for a newer Node than the
    // runner's, which the native binary does not need.
    execFileSync(
      'npm',
      ['install', '--prefix', partial, '--no-audit', '--no-fund', '--no-save', '--engine-strict=false', spec],
      { stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 },
    );
    writeFileSync(join(partial, '.installed'), `${spec}\n`);
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(dirname(prefix), { recursive: true });
    renameSync(partial, prefix);
    log(`${spec}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  log(`${spec}: ${checkVersion(binPath, entry)}`);
  const link = join(binDir, entry.bin);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, binPath), link);
}
process.stdout.write(`${binDir}\n`);
