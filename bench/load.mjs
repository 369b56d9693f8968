// The load generator, in its own process so it never competes with the server's event loop:
// argv[2] is a JSON job, stdout gets one JSON result line.
import autocannon from 'autocannon';

const job = JSON.parse(process.argv[2]);
let n = 0;
const requests = job.uniqueTo
  ? [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            ...job.body,
            [job.uniqueTo]: job.toPrefix + String(10_000_000 + ((process.pid * 7919 + n++) % 89_999_999)),
          }),
        }),
      },
    ]
  : job.cycle
    ? [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(job.cycle[n++ % job.cycle.length]) }) }]
    : undefined;
const result = await autocannon({
  url: job.url,
  method: job.method ?? 'POST',
  headers: job.headers ?? {},
  body: job.body === undefined ? undefined : JSON.stringify(job.body),
  connections: job.connections,
  ...(job.amount ? { amount: job.amount } : { duration: job.duration }),
  ...(requests && { requests }),
  timeout: 10,
});
const summary = {
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
