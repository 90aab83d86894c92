// Copies non-TypeScript assets (the Lua scripts of src/store/redis/lua) from src/ into dist/ after tsc.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const exts = ['.lua'];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (exts.some((e) => name.endsWith(e))) cpSync(p, join('dist', relative('src', p)));
  }
}
if (existsSync('src')) walk('src');
