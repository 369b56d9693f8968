import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../../src/providers/index.js';
import { call, useSimulator } from '../helpers/http.js';

// Debian's Chromium, never a downloaded browser: `npm test` installs it (scripts/ensure-system-deps.mjs).
const CHROMIUM = process.env.WAOTP_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = join(import.meta.dirname, '../..');

/** Sends a provider's sample OTP request (its documented example) to a number, over real HTTP. */
function send(url: string, providerId: string, to: string, extra: Record<string, string> = {}) {
  const endpoint = providers.find((p) => p.id === providerId)!.endpoints.find((e) => e.kind === 'send')!;
  const { path, headers, body } = endpoint.sample!(to);
  return call(`${url}${path}`, { method: endpoint.method, headers: { ...headers, ...extra }, json: body });
}

describe('the inbox page, in Chromium', () => {
  const s = useSimulator();
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 10_000 });
    } catch (error) {
      throw new Error(
        `cannot launch Chromium at ${CHROMIUM} (${(error as Error).message.split('\n')[0]}). ` +
          "Install Debian's package with `sudo apt-get install -y chromium` " +
          '(npm test does it through scripts/ensure-system-deps.mjs), or set WAOTP_CHROMIUM.',
      );
    }
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      colorScheme: 'light',
      locale: 'en-GB',
      timezoneId: 'UTC',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = await context.newPage();
    page.setDefaultTimeout(5000);
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${s.url}/`);
    await page.locator('#live[data-state="live"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows a code sent over HTTP, without a reload', async () => {
    // Expressions as strings: this file is type-checked without the DOM library.
    await page.evaluate('window.notReloaded = true');
    expect((await send(s.url, 'splashify', '6281234567890')).status).toBe(201);
    const bubble = page.locator('.msg').filter({ hasText: '482913' });
    await bubble.waitFor();
    expect(await bubble.locator('.code').textContent()).toBe('482913');
    expect(await bubble.locator('.provider').textContent()).toBe('Splashify Pro');
    await page.getByRole('button', { name: /\+6281234567890/ }).waitFor();
    expect(await page.evaluate('window.notReloaded')).toBe(true);
  });

  it('copies the code with its Copy button', async () => {
    await page.getByRole('button', { name: 'Copy code 482913' }).first().click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe('482913');
  });

  it('moves the status ticks as delivery reports arrive', async () => {
    // The simulator plays each message's delivery timeline (sent, delivered, read) on its own clock; the page
    // only learns of it through the event stream.
    const message = s.sim.simulator.inbox.latest({ to: '6281234567890' })!;
    const bubble = page.locator(`.msg[data-id="${message.id}"]`);
    await bubble.and(page.locator('[data-status="read"]')).waitFor();
    expect(await bubble.locator('.status-text').textContent()).toBe('read');
    // Callback attempts are shown as the dispatcher records them.
    s.sim.simulator.inbox.update(message.id, (m) => {
      m.callbacks = [
        ...(m.callbacks ?? []),
        {
          event: 'message.read',
          url: 'https://app.example/hooks/wa',
          method: 'POST',
          request: { headers: {}, body: { status: 'read' } },
          attempt: 1,
          status: 200,
          durationMs: 4,
          at: new Date().toISOString(),
        },
      ];
    });
    await bubble
      .locator('.callbacks')
      .getByText('https://app.example/hooks/wa', { exact: false })
      .waitFor({ state: 'attached' });
  });

  it('shows a failed delivery', async () => {
    expect((await send(s.url, 'splashify', '12025550100')).status).toBe(201); // the not_on_whatsapp magic number
    await page.getByRole('button', { name: /\+12025550100/ }).click();
    const bubble = page.locator('.msg[data-status="failed"]');
    await bubble.waitFor();
    expect(await bubble.locator('.failure').textContent()).toMatch(/^Delivery failed: 131026/);
    await page.getByRole('button', { name: /\+6281234567890/ }).click();
  });

  it('opens a message to show its raw request, its reply and its callback attempts', async () => {
    const bubble = page.locator('.msg').filter({ hasText: '482913' });
    await bubble.getByText('Request, reply and callbacks').click();
    await bubble.getByText('POST /api/v1/public/message').waitFor();
    await bubble.getByText('HTTP 201').waitFor();
    await bubble.getByText(/^Callbacks \(\d+\)$/).waitFor();
    expect(await bubble.locator('.callbacks').textContent()).toContain('POST https://app.example/hooks/wa');
  });

  it('arms a scenario with the page’s labelled controls and the keyboard; the next send gets it', async () => {
    const form = page.getByRole('form', { name: 'Arm an outcome' });
    await form.getByLabel('Number', { exact: true }).fill('+6281234567891');
    await form.getByLabel('Provider').selectOption('splashify');
    await form.getByLabel('Outcome', { exact: true }).selectOption('rate_limited');
    // Keyboard: from the last field, Tab reaches the Arm button and Enter presses it.
    await form.getByLabel('Times (optional)').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('arm-submit');
    await page.keyboard.press('Enter');
    await page
      .locator('#rules .rule')
      .filter({ hasText: 'rate_limited for +6281234567891 on Splashify Pro' })
      .waitFor();
    expect(await page.locator('#arm-status').textContent()).toContain('Armed');

    const limited = await send(s.url, 'splashify', '6281234567891');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect((await send(s.url, 'splashify', '6281234567892')).status).toBe(201);
  });

  it('disarms a rule from the keyboard', async () => {
    const disarm = page.getByRole('button', { name: 'Disarm rate_limited for +6281234567891 on Splashify Pro' });
    await disarm.focus();
    await page.keyboard.press('Enter');
    await page.locator('#rules-empty').waitFor();
    expect((await send(s.url, 'splashify', '6281234567891')).status).toBe(201);
  });

  it('filters by provider and by number', async () => {
    expect((await send(s.url, 'verihubs', '6281299990000')).status).toBeLessThan(300);
    await page.getByRole('button', { name: /\+6281299990000/ }).waitFor();
    await page.getByLabel('Filter by provider').selectOption('verihubs');
    expect(await page.locator('#phones .phone-number').allTextContents()).toEqual(['+6281299990000']);
    await page.getByLabel('Filter by provider').selectOption('');
    await page.getByLabel('Filter by number').fill('67891');
    expect(await page.locator('#phones .phone-number').allTextContents()).toEqual(['+6281234567891']);
    await page.getByLabel('Filter by number').fill('');
    expect(await page.locator('#phones .phone').count()).toBe(5);
  });

  it('arms a sequence for a provider', async () => {
    const form = page.getByRole('form', { name: 'Arm an outcome' });
    await form.getByLabel('Number', { exact: true }).fill('');
    await form.getByLabel('Provider').selectOption('botcake');
    await form.getByLabel('Sequence (optional)').fill('provider_error, accepted');
    await form.getByRole('button', { name: 'Arm' }).click();
    await page
      .locator('#rules .rule')
      .filter({ hasText: 'provider_error → accepted for any number on Botcake' })
      .waitFor();
    const { rules } = (await call(`${s.url}/__admin/scenarios`)).body as {
      rules: { provider?: string; outcomes: string[] }[];
    };
    expect(rules).toEqual([expect.objectContaining({ provider: 'botcake', outcomes: ['provider_error', 'accepted'] })]);
  });

  it('saves a screenshot, and stays readable on a narrow window', async () => {
    // A representative picture: one phone with messages from three providers, one of them failing.
    expect((await send(s.url, 'verihubs', '6281234567890')).status).toBeLessThan(300);
    expect((await send(s.url, 'messcat', '6281234567890', { prefer: 'scenario=not_on_whatsapp' })).status).toBeLessThan(
      300,
    );
    await page.getByRole('button', { name: /\+6281234567890/ }).click();
    await page.locator('.msg').filter({ hasText: '482913' }).getByText('Request, reply and callbacks').click();
    await page.locator('#messages .msg').nth(2).waitFor();
    await page.locator('#messages .msg[data-status="failed"]').waitFor();
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'reports/inbox.png') });
    // The README's picture: `WAOTP_DOCS_SCREENSHOT=1 npx vitest run test/ui` refreshes docs/inbox.png.
    if (process.env.WAOTP_DOCS_SCREENSHOT) await page.screenshot({ path: join(ROOT, 'docs/inbox.png') });

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ROOT, 'reports/inbox-narrow.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('clears the inbox', async () => {
    await page.getByRole('button', { name: 'Clear inbox' }).click();
    await page.getByText('No messages yet').waitFor();
    expect(await page.locator('#phones .phone').count()).toBe(0);
    expect(await page.locator('#messages .msg').count()).toBe(0);
  });

  it('logged no console error and no page error', () => {
    expect(problems).toEqual([]);
  });
});
