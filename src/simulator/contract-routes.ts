/**
 * `/__admin/contracts/<id>` serves the checked-in OpenAPI files, `/__admin/docs` renders them as pages: the
 * admin route table's entries for them, and their HTML.
 * Files are read on first request, never at start: contracts are built by `npm run contracts`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { problem } from '../util/problem.js';
import { type AdminDeps, adminRoute } from './admin-table.js';

const DIR = new URL('../../contracts/', import.meta.url);

type Json = Record<string, any>;

const escapeHtml = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pre = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

const when = (test: unknown, html: () => string) => (test ? html() : '');
const exampleOf = (media: Json | undefined) => when(media?.example !== undefined, () => pre(media!.example));

function credentialsHtml(op: Json): string {
  const schemes = (op.security ?? []) as Json[];
  return when(schemes.length, () => {
    const alternatives = schemes.map((r) => Object.keys(r).map(escapeHtml).join(' + '));
    return `<p>Credentials: ${alternatives.join(' or ')}</p>`;
  });
}

function responsesHtml(op: Json): string {
  const rows = (Object.entries(op.responses ?? {}) as [string, Json][]).map(
    ([status, r]) =>
      `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(r.description ?? '')}</td>` +
      `<td>${exampleOf(r.content?.['application/json'])}</td></tr>`,
  );
  return (
    '<table><thead><tr><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Example</th></tr>' +
    `</thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
  );
}

function callbacksHtml(op: Json): string {
  return (Object.entries(op.callbacks ?? {}) as [string, Json][])
    .flatMap(([name, callback]) =>
      (Object.entries(callback) as [string, Json][]).flatMap(([url, item]) =>
        (Object.entries(item) as [string, Json][]).map(
          ([m, o]) =>
            `<h4>Callback ${escapeHtml(name)}: ${escapeHtml(m.toUpperCase())} <code>${escapeHtml(url)}</code></h4>` +
            operationDetails(o),
        ),
      ),
    )
    .join('');
}

function operationHtml(method: string, path: string, op: Json): string {
  const body = op.requestBody?.content?.['application/json'];
  const bodyHtml = when(
    body,
    () => `<h4>Request body</h4>${exampleOf(body)}<details><summary>Schema</summary>${pre(body.schema)}</details>`,
  );
  return `<section class="op">
<h3><span class="method">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary ?? '')}</p>
${credentialsHtml(op)}
${bodyHtml}
<h4>Responses</h4>
${responsesHtml(op)}
${callbacksHtml(op)}
</section>`;
}

function operationDetails(op: Json): string {
  const params = (op.parameters ?? []) as Json[];
  const paramHtml = params.map(
    (p) =>
      `<code>${escapeHtml(p.in)}:${escapeHtml(p.name)}</code>` +
      when(p.example !== undefined, () => ` = <code>${escapeHtml(p.example)}</code>`),
  );
  return `<p>${escapeHtml(op.summary ?? '')} ${escapeHtml(op.description ?? '')}</p>
${when(params.length, () => `<p>Parameters: ${paramHtml.join(', ')}</p>`)}
${exampleOf(op.requestBody?.content?.['application/json'])}`;
}

const STYLE = `\
body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:auto;padding:1rem;color:#1a1a1a;background:#fff}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f4f4f4;padding:.5rem;overflow:auto;max-height:24rem}
.op{border-top:1px solid #ccc;padding-top:.5rem}.method{background:#075e54;color:#fff;padding:0 .4rem;border-radius:3px}
table{border-collapse:collapse;width:100%}\
td,th{border:1px solid #ddd;padding:.3rem;vertical-align:top;text-align:left}a{color:#0645ad}`;

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">\
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>
${STYLE}
</style></head><body>${content}</body></html>`;
}

const cache = new Map<string, Json>();

/** The contract of a provider id or `admin`, read once; undefined for any other id. */
async function load(id: string, known: readonly string[]): Promise<Json | undefined> {
  if (!known.includes(id)) return undefined;
  if (!cache.has(id)) cache.set(id, JSON.parse(await readFile(new URL(`${id}.openapi.json`, DIR), 'utf8')) as Json);
  return cache.get(id);
}

const knownIds = (deps: AdminDeps) => [...deps.providers.map((p) => p.id), 'admin'];
const notFound = (known: readonly string[]) => problem(404, 'No such contract', `known: ${known.join(', ')}`);

export const contractRoutes = [
  adminRoute({
    method: 'get',
    path: '/__admin/contracts',
    summary: 'The contracts served: every provider and admin',
    replies: {
      200: z.object({ contracts: z.array(z.object({ id: z.string(), url: z.string(), docs: z.string() })) }),
    },
    handler: ({ c, deps }) =>
      c.json({
        contracts: knownIds(deps).map((id) => ({ id, url: `/__admin/contracts/${id}`, docs: `/__admin/docs/${id}` })),
      }),
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/contracts/:id',
    summary: "A provider's OpenAPI contract (or admin)",
    replies: { 200: z.looseObject({ openapi: z.string() }) },
    errors: [404],
    handler: async ({ c, deps }) => {
      const known = knownIds(deps);
      const contract = await load(c.req.param('id')!, known);
      return contract ? c.json(contract) : notFound(known);
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/docs',
    summary: 'Every contract as a page',
    replies: { 200: 'html' },
    handler: async ({ c, deps }) => {
      const known = knownIds(deps);
      const items = await Promise.all(known.map(async (id) => ({ id, contract: (await load(id, known))! })));
      const links = items
        .map(
          ({ id, contract }) =>
            `<li><a href="/__admin/docs/${escapeHtml(id)}">${escapeHtml(contract.info?.title ?? id)}</a> — ` +
            `<a href="/__admin/contracts/${escapeHtml(id)}">JSON</a></li>`,
        )
        .join('');
      return c.html(
        page(
          'waotp contracts',
          '<h1>waotp contracts</h1><p>OpenAPI 3.1, generated from the schemas the simulator validates with.</p>' +
            `<ul>${links}</ul>`,
        ),
      );
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/docs/:id',
    summary: 'One contract as a page',
    replies: { 200: 'html' },
    errors: [404],
    handler: async ({ c, deps }) => {
      const known = knownIds(deps);
      const id = c.req.param('id')!;
      const contract = await load(id, known);
      if (!contract) return notFound(known);
      const ops = Object.entries(contract.paths ?? {}).flatMap(([path, item]) =>
        Object.entries(item as Json).map(([method, op]) => operationHtml(method, path, op as Json)),
      );
      const webhooks = Object.entries(contract.webhooks ?? {}).flatMap(([name, item]) =>
        Object.entries(item as Json)
          .filter(([m]) => ['get', 'post'].includes(m))
          .map(
            ([m, op]) =>
              `<section class="op"><h3>Webhook ${escapeHtml(name)}: ${escapeHtml(m.toUpperCase())}</h3>` +
              `<p>${escapeHtml((item as Json).description ?? '')}</p>${operationDetails(op as Json)}</section>`,
          ),
      );
      const head =
        `<p><a href="/__admin/docs">All contracts</a> · <a href="/__admin/contracts/${escapeHtml(id)}">JSON</a></p>` +
        `<h1>${escapeHtml(contract.info?.title)}</h1><p>${escapeHtml(contract.info?.description ?? '')}</p>`;
      return c.html(page(contract.info?.title ?? id, `${head}${ops.join('\n')}${webhooks.join('\n')}`));
    },
  }),
];
