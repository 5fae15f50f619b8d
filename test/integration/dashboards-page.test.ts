import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiService, type ApiService } from '../../api/app.js';
import { listen } from '../../api/server.js';
import { CHARTS } from '../../dashboards/charts.js';
import { dashboardPage } from '../../dashboards/web/serve.js';
import type { AbuseAnswer, CooccurrenceAnswer, TagpulseConfig, TrendsAnswer } from '../../schemas/index.js';
import { apiGet, startApi, TEST_KEYS } from '../support/api.js';
import { initialisedConfig } from '../support/config.js';
import { openStore } from '../../infra/store/open.js';
import { SEED_DAYS, SEED_FAMILIES, SPIKE_DAY, SPIKE_FAMILY, seedDashboardData, type SeedTotals } from '../support/dashboards-data.js';

/**
 * The web page in headless Chromium (Debian's /usr/bin/chromium through playwright-core; infra/ci/ensure-chromium.sh
 * installs it) against the real API and search engine with seeded metrics: every chart draws marks, its table
 * shows the API's numbers, CSV downloads by keyboard, the view is in the address, the interface switches language.
 */

const CHROMIUM = process.env.TAGPULSE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join('test-artifacts', 'dashboards');
const VIEW = { campaign: SPIKE_FAMILY, from: '2026-03-01', to: '2026-03-14', interval: 'day', tz: 'UTC' };

type Cells = Array<Record<string, string>>;

/** The browser's globals inside page functions (the project compiles without the DOM library). */
interface PageElement {
  id: string;
  className: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
declare const document: { body: PageElement; activeElement: PageElement | null; documentElement: { lang: string } };

/** The table behind a chart, as data attributes (raw values) by field. */
async function tableOf(page: Page, chart: string): Promise<Cells> {
  return page.$$eval(`#chart-${chart} table tbody tr`, (rows) =>
    (rows as unknown as PageElement[])
      .map((row) => Object.fromEntries(Array.from(row.querySelectorAll('td[data-field]')).map((td) => [td.dataset['field']!, td.dataset['value']!])))
      .filter((row) => Object.keys(row).length > 0),
  );
}

async function waitForView(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset['viewState'] === 'ready' || document.body.dataset['viewState'] === 'error', undefined, { timeout: 60_000 });
  const errors = await page.$$eval('section.chart[data-state="error"]', (sections) => (sections as unknown as PageElement[]).map((s) => `${s.id}: ${s.querySelector('.error')?.textContent}`));
  expect(errors).toEqual([]);
}

describe('the dashboard page in headless Chromium', () => {
  let config: TagpulseConfig;
  let service: ApiService;
  let base: string;
  let browser: Browser;
  let page: Page;
  let totals: SeedTotals;
  const offsite: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    config = await initialisedConfig();
    const store = await openStore(config);
    try {
      totals = await seedDashboardData(store);
    } finally {
      await store.close();
    }
    // A generous rate limit: the page asks the API ~20 questions per view and this file reloads it.
    config.api.rateLimit = { perMinute: 6000, burst: 1000 };
    service = await createApiService(config, { statics: dashboardPage(config) });
    await listen(service.server, '127.0.0.1', 0);
    base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run infra/local/ensure-chromium.sh (npm test does), or set TAGPULSE_CHROMIUM`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ timezoneId: 'UTC', locale: 'en-GB', acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // Offline: anything not asked of the Tagpulse server is refused and remembered.
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(base)) return route.continue();
      offsite.push(route.request().url());
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(`${base}/?${new URLSearchParams({ ...VIEW, lang: 'en' })}`);
    await waitForView(page);
  });

  afterAll(async () => {
    await browser?.close();
    if (service) {
      await new Promise<void>((resolve) => service.server.close(() => resolve()));
      await service.close();
    }
  });

  it('draws marks in every chart, from local assets only', async () => {
    for (const chart of CHARTS) {
      const marks = await page.$$eval(`#chart-${chart.id} .vis svg g.role-mark > *`, (nodes) => nodes.length);
      expect(marks, `${chart.id} draws marks`).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'page-en.png'), fullPage: true });
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('shows the numbers the API gives', async () => {
    const trends = (await (await apiGet(base, '/api/trends', { family: SPIKE_FAMILY, from: VIEW.from, to: VIEW.to, interval: 'day', tz: 'UTC' })).json()) as TrendsAnswer;
    const volume = await tableOf(page, 'volume');
    expect(volume.map((r) => Number(r['posts']))).toEqual(trends.rows.map((r) => r.posts));
    expect(volume.map((r) => Date.parse(r['bucket_start']!))).toEqual(trends.rows.map((r) => Date.parse(r.bucket_start)));
    expect(volume.map((r) => Number(r['posts']))).toEqual(totals.daily[SPIKE_FAMILY]);
    expect(volume.filter((r) => r['spike'] === 'true').map((r) => r['bucket_start']!.slice(0, 10))).toEqual([`2026-03-${String(SPIKE_DAY + 1).padStart(2, '0')}`]);
    expect(volume).toHaveLength(SEED_DAYS);

    const platforms = await tableOf(page, 'platforms');
    expect(Object.fromEntries(platforms.map((r) => [r['platform'], Number(r['posts'])]))).toEqual(totals.postsByPlatform[SPIKE_FAMILY]);
    const languages = await tableOf(page, 'languages');
    expect(Object.fromEntries(languages.map((r) => [r['lang'], Number(r['posts'])]))).toEqual(totals.postsByLang[SPIKE_FAMILY]);

    const cooccurrence = (await (await apiGet(base, '/api/cooccurrence', { tag: SPIKE_FAMILY, from: VIEW.from, to: VIEW.to, tz: 'UTC', limit: 60 })).json()) as CooccurrenceAnswer;
    const network = await tableOf(page, 'network');
    expect(network.map((r) => [r['partner'], Number(r['count'])]).sort()).toEqual(cooccurrence.rows.map((r) => [r.tag_b, r.count]).sort());

    const abuse = (await (await apiGet(base, '/api/abuse', { family: SPIKE_FAMILY, from: VIEW.from, to: VIEW.to, interval: 'day', tz: 'UTC' })).json()) as AbuseAnswer;
    const share = await tableOf(page, 'abuse-share');
    expect(share).toHaveLength(abuse.rows.length);
    share.forEach((row, i) => {
      const api = abuse.rows[i]!;
      expect(Number(row['posts'])).toBe(api.posts);
      expect(Number(row['toward_women'])).toBe(api.abusive_toward_women);
      expect(Number(row['share'])).toBeCloseTo(api.share_toward_women!, 12);
      expect(Number(row['ci_low'])).toBeCloseTo(api.ci_low!, 12);
      expect(Number(row['ci_high'])).toBeCloseTo(api.ci_high!, 12);
    });
    const categories = await tableOf(page, 'abuse-categories');
    for (const category of abuse.meta.categories) {
      const fromApi = abuse.rows.reduce((sum, r) => sum + (r.categories[category] ?? 0), 0);
      expect(Number(categories.find((r) => r['category'] === category)?.['abusive']), category).toBe(fromApi);
    }

    const campaigns = await tableOf(page, 'abuse-campaigns');
    expect(campaigns.map((r) => r['campaign']).sort()).toEqual([...SEED_FAMILIES].sort());
    for (const row of campaigns) {
      const t = totals.abuse[row['campaign']!]!;
      expect([Number(row['posts']), Number(row['abusive']), Number(row['toward_women'])]).toEqual([t.posts, t.abusive, t.towardWomen]);
    }
  });

  it('downloads a chart’s data as CSV by keyboard', async () => {
    const button = page.locator('#chart-volume .download-csv');
    await button.focus();
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\ufeffseries,bucket_start,posts,spike\r\n')).toBe(true);
    expect(csv.trim().split('\r\n')).toHaveLength(SEED_DAYS + 1);
    expect(download.suggestedFilename()).toBe(`tagpulse-volume-${SPIKE_FAMILY}-${VIEW.from}-${VIEW.to}.csv`);
  });

  it('reaches every control and chart by Tab, and shows a table on request', async () => {
    await page.locator('.skip').focus();
    const reached = new Set<string>();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => {
        const active = document.activeElement;
        return active?.id || active?.closest('section.chart')?.id + ':' + active?.className;
      });
      reached.add(id);
    }
    for (const id of ['campaign', 'from', 'to', 'interval', 'ui-lang', 'apply', 'copy-link']) expect(reached, id).toContain(id);
    expect(reached).toContain('chart-network:vis');
    const toggle = page.locator('#chart-partners .toggle-table');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('#chart-partners table').isVisible()).toBe(true);
  });

  it('speaks Kazakh and Russian, and keeps the view in the address', async () => {
    await page.selectOption('#ui-lang', 'kk');
    await page.waitForFunction(() => document.documentElement.lang === 'kk' && document.body.dataset['viewState'] === 'ready');
    // Axes speak the language too (months in Kazakh on the time axis).
    expect(await page.$$eval('#chart-volume .vis svg text', (texts) => (texts as unknown as PageElement[]).map((t) => t.textContent).join(' '))).toContain('наурыз');
    expect(await page.textContent('#status')).toBe('Графиктер жаңартылды.');
    expect(await page.textContent('#dashboard-abuse-toward-women h2')).toBe('Әйелдерге бағытталған қорлау');
    expect(await page.textContent('label[for=campaign]')).toBe('Науқан');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('kk');
    await page.screenshot({ path: join(ARTIFACTS, 'page-kk.png'), fullPage: true });

    // A shared address opens the same view.
    const shared = new URL(page.url());
    shared.searchParams.set('lang', 'ru');
    shared.searchParams.set('campaign', 'qazaqkoktemi');
    await page.goto(shared.href);
    await waitForView(page);
    expect(await page.textContent('#dashboard-campaign-overview h2')).toBe('Обзор кампаний');
    expect(await page.inputValue('#campaign')).toBe('qazaqkoktemi');
    expect(await page.inputValue('#from')).toBe(VIEW.from);
    const volume = await tableOf(page, 'volume');
    expect(volume.map((r) => Number(r['posts']))).toEqual(totals.daily['qazaqkoktemi']);
    await page.screenshot({ path: join(ARTIFACTS, 'page-ru.png'), fullPage: true });
    expect(offsite).toEqual([]);
  });

  it('asks for an API key on a server without anonymous access, and sends it once given', async () => {
    const closed = await startApi({ ...config, api: { ...config.api, anonymous: false } }, { statics: dashboardPage(config) });
    const keyed = await browser.newPage();
    try {
      await keyed.goto(`${closed.base}/?${new URLSearchParams({ ...VIEW, lang: 'en' })}`);
      await keyed.waitForSelector('#key-form', { state: 'visible', timeout: 60_000 });
      await keyed.fill('#api-key', TEST_KEYS.public);
      await keyed.press('#api-key', 'Enter');
      await waitForView(keyed);
      expect(await keyed.isHidden('#key-form')).toBe(true);
      expect((await tableOf(keyed, 'volume')).map((r) => Number(r['posts']))).toEqual(totals.daily[SPIKE_FAMILY]);
      // The key stays out of the address, which is shared and logged.
      expect(keyed.url()).not.toContain(TEST_KEYS.public);
    } finally {
      await keyed.close();
      await closed.close();
    }
  });
});
