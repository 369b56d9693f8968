// The ceiling: a bare Hono app on @hono/node-server answering the send route with a fixed JSON reply
// (on $PORT, else a free port: the bench also times its cold start). With WORK_US it first spins that many
// microseconds of CPU per request: the calibration rows, what any handler doing that much work could reach.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
const reply = JSON.stringify({
  result: true,
  message: 'Message created successfully',
  id: 'b90f02bd-1316-49ce-b5d0-f6be14fce2b8',
});
const workMs = Number(process.env.WORK_US ?? 0) / 1000;
const work = () => {
  const started = performance.now();
  while (performance.now() - started < workMs);
};
app.post('/api/v1/public/message', (c) => {
  if (workMs > 0) work();
  return c.body(reply, 201, { 'content-type': 'application/json' });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) =>
  console.log(`listening on http://127.0.0.1:${info.port}`),
);
