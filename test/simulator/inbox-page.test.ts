import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/app.js';

describe('inbox page routes', () => {
  const sim = createSimulator({ seed: 1 });

  it('serves the page at / as HTML, with its assets linked by content hash and no third-party origin', async () => {
    const res = await sim.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    expect(html).toMatch(/<script type="module" src="\/__admin\/ui\/app\.js\?v=[\w-]{8}"><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/__admin\/ui\/app\.css\?v=[\w-]{8}"/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('labels every form control', async () => {
    const html = await (await sim.app.request('/')).text();
    const ids = [...html.matchAll(/<(?:input|select)[^>]*\bid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    for (const id of ids) {
      expect(html, `#${id} has a label`).toMatch(new RegExp(`<label for="${id}">[^<]+</label>`));
    }
  });

  it('lists every provider and outcome, with the magic numbers', async () => {
    const html = await (await sim.app.request('/')).text();
    for (const p of sim.providers) expect(html).toContain(`<option value="${p.id}">`);
    expect(html).toContain('<option value="rate_limited">rate_limited</option>');
    expect(html).toContain('+12085550100');
  });

  it.each([
    ['app.js', /^text\/javascript/],
    ['app.css', /^text\/css/],
  ])(
    'serves %s with its content type, a long cache for the hashed URL and revalidation otherwise',
    async (name, type) => {
      const html = await (await sim.app.request('/')).text();
      const url = new RegExp(`/__admin/ui/${name.replace('.', '\\.')}\\?v=[\\w-]+`).exec(html)![0];
      const hashed = await sim.app.request(url);
      expect(hashed.status).toBe(200);
      expect(hashed.headers.get('content-type')).toMatch(type);
      expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(hashed.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await hashed.text()).length).toBeGreaterThan(500);
      const plain = await sim.app.request(`/__admin/ui/${name}`);
      expect(plain.headers.get('cache-control')).toBe('no-cache');
      const again = await sim.app.request(`/__admin/ui/${name}`, {
        headers: { 'if-none-match': plain.headers.get('etag')! },
      });
      expect(again.status).toBe(304);
    },
  );

  it('keeps the JSON 404 for unknown paths, under /__admin/ui too', async () => {
    const unknown = await sim.app.request('/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);
    const asset = await sim.app.request('/__admin/ui/../../package.json');
    expect(asset.status).toBe(404);
    expect((await sim.app.request('/__admin/ui/other.js')).status).toBe(404);
  });

  it('answers only GET at /', async () => {
    const res = await sim.app.request('/', { method: 'POST' });
    expect(res.status).toBe(404);
  });
});
