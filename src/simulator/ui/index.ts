/**
 * The inbox page at `/`, and its two hand-written assets under `/__admin/ui/`. No build step, no CDN:
 * `app.js` and `app.css` sit next to this file (the build copies them into dist) and are read once.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { Catalogue } from '../catalogue.js';
import type { PageProps } from './page.js';

export interface InboxUiOptions {
  /** For the provider filter and the scenario form. */
  providers: readonly { id: string; name: string }[];
  /** The outcome catalogue with its magic numbers. */
  catalogue: Catalogue;
}

const ASSETS = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;
type AssetName = keyof typeof ASSETS;

// The page only talks to its own origin; inline styles and scripts are not needed.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Creates the page routes, to be mounted at the root of the simulator.
 * @example
 * app.route(
 *   '/',
 *   createInboxUi({ providers: [{ id: 'splashify', name: 'Splashify Pro' }], catalogue: loadCatalogue() }),
 * );
 */
export function createInboxUi({ providers, catalogue }: InboxUiOptions) {
  const ui = new Hono();
  const view: Omit<PageProps, 'assets'> = {
    providers: providers.map(({ id, name }) => ({ id, name })),
    outcomes: Object.entries(catalogue.outcomes).map(([name, entry]) => ({
      name,
      summary: entry.summary,
      numbers: entry.numbers.map((r) => ({ from: `+${r.from}`, to: `+${r.to}` })),
    })),
  };
  const cache = new Map<AssetName, { body: string; etag: string }>();
  const asset = (name: AssetName) => {
    let found = cache.get(name);
    if (!found) {
      const body = readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
      found = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
      cache.set(name, found);
    }
    return found;
  };
  const versioned = (name: AssetName) => `/__admin/ui/${name}?v=${asset(name).etag.slice(1, 9)}`;

  ui.get('/', async (c) => {
    // Loaded on first view: the JSX runtime stays out of the simulator's start-up time.
    const { renderPage } = await import('./page.js');
    const html = renderPage({ ...view, assets: { js: versioned('app.js'), css: versioned('app.css') } });
    return c.html(html, 200, {
      'cache-control': 'no-store',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });

  for (const name of Object.keys(ASSETS) as AssetName[]) {
    ui.get(`/__admin/ui/${name}`, (c) => {
      const { body, etag } = asset(name);
      // The page links each asset with its content hash, so a cached copy can be kept for good.
      const headers = {
        'content-type': ASSETS[name],
        'cache-control': c.req.query('v') === etag.slice(1, 9) ? 'public, max-age=31536000, immutable' : 'no-cache',
        etag,
        'x-content-type-options': 'nosniff',
      };
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
      return c.body(body, 200, headers);
    });
  }
  return ui;
}
