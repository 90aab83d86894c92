// Preloaded into the dev Hub process by the process benchmarks (`node --import bench/hub-trace-hook.mjs`): appends
// one JSON line per HTTP request to $BENCH_HUB_TRACE (method, path, start and end as epoch ms with sub-ms precision,
// status). Counts what reaches the Hub without changing what it does.
// `end` is when the Hub handed the whole response to its socket (`res.end` returned), not its 'finish' event, which
// comes later, after other work of the same tick. Lines are appended a few milliseconds later in one write: no file
// write sits between a response and the next one (a mention's answer and the long-poll answer it wakes).
import { appendFileSync } from 'node:fs';
import http from 'node:http';

const file = process.env.BENCH_HUB_TRACE;
const now = () => performance.timeOrigin + performance.now();
const emit = http.Server.prototype.emit;
if (file) {
  let pending = '';
  let timer;
  const flush = () => {
    timer = undefined;
    if (pending) appendFileSync(file, pending);
    pending = '';
  };
  process.on('exit', flush);
  http.Server.prototype.emit = function (event, req, res) {
    if (event === 'request') {
      const start = now();
      const end = res.end;
      res.end = function (...args) {
        const result = end.apply(this, args);
        const line = {
          method: req.method,
          path: String(req.url).split('?')[0],
          start,
          end: now(),
          status: res.statusCode,
        };
        pending += `${JSON.stringify(line)}\n`;
        timer ??= setTimeout(flush, 5);
        return result;
      };
    }
    return emit.apply(this, arguments);
  };
}
