// Preloaded into a runner by bench/user-latency.ts (`node --import bench/client-trace-hook.mjs`): appends one JSON
// line per HTTP request the process sends to $BENCH_CLIENT_TRACE (method, host, path, start = when the request was
// made, end = when its response ended, epoch ms with sub-ms precision). Requests that overlap in time were in flight
// together: the benchmark counts sequential Hub round trips from them. Lines are kept in memory and appended every
// 250 ms (one write, not one per request). Recording costs the runner CPU (JSON lines, listeners): SIGUSR2
// pauses it (and resumes it) while the benchmark measures CPU.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const file = process.env.BENCH_CLIENT_TRACE;
const now = () => performance.timeOrigin + performance.now();
if (file) {
  let pending = '';
  const flush = () => {
    if (pending) appendFileSync(file, pending);
    pending = '';
  };
  setInterval(flush, 250).unref();
  process.on('exit', flush);
  // SIGUSR2 pauses (and resumes) the recording: a phase that measures the runner's CPU does not pay for it.
  let recording = true;
  process.on('SIGUSR2', () => {
    recording = !recording;
  });
  const request = http.request;
  http.request = function (...args) {
    if (!recording) return request.apply(this, args);
    const start = now();
    const req = request.apply(this, args);
    const note = (res) => {
      const line = {
        method: req.method,
        host: String(req.getHeader('host') ?? req.host),
        path: String(req.path).split('?')[0],
        start,
        end: now(),
        status: res?.statusCode ?? 0,
      };
      pending += `${JSON.stringify(line)}\n`;
    };
    req.once('response', (res) => res.once('end', () => note(res)));
    req.once('error', () => note(undefined));
    return req;
  };
  syncBuiltinESMExports();
}
