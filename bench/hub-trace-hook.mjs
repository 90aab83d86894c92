// Preloaded into the dev Hub process by the process benchmarks (`node --import bench/hub-trace-hook.mjs`): appends
// one JSON line per HTTP request to $BENCH_HUB_TRACE (method, path, start and end as epoch ms with sub-ms precision,
// status). Counts what reaches the Hub without changing what it does.
import { appendFileSync } from 'node:fs';
import http from 'node:http';

const file = process.env.BENCH_HUB_TRACE;
const now = () => performance.timeOrigin + performance.now();
const emit = http.Server.prototype.emit;
if (file) {
  http.Server.prototype.emit = function (event, req, res) {
    if (event === 'request') {
      const start = now();
      res.on('finish', () => {
        const line = {
          method: req.method,
          path: String(req.url).split('?')[0],
          start,
          end: now(),
          status: res.statusCode,
        };
        appendFileSync(file, `${JSON.stringify(line)}\n`);
      });
    }
    return emit.apply(this, arguments);
  };
}
