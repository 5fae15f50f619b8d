// Tagpulse's dashboard page: the charts of the Kibana / OpenSearch Dashboards dashboards, drawn with the same
// Vega and Vega-Lite views (from /dashboards/charts.json) over rows built from the HTTP API. The view (campaign,
// period, interval, time zone, language) lives in the address, so a copied address shares it.
/* global vega, vegaLite */
import { STRINGS, VEGA_LOCALES } from './i18n.js';

const LANGUAGES = ['kk', 'ru', 'en'];
const INTERVALS = ['hour', 'day', 'week', 'month'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children);
  return node;
};

let definition;
let state;
/** Per chart: the rows last loaded, the Vega view and the table rows it computed. */
const drawn = new Map();

function t(key) {
  return STRINGS[state.lang][key] ?? STRINGS.en[key] ?? key;
}

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The view from the address, with defaults for what it does not say. */
function readState() {
  const params = new URLSearchParams(location.search);
  const families = definition.families.map((f) => f.name);
  const preferred = (navigator.language || 'en').slice(0, 2);
  const lang = LANGUAGES.includes(params.get('lang')) ? params.get('lang') : LANGUAGES.includes(preferred) ? preferred : 'en';
  const to = DATE.test(params.get('to') ?? '') ? params.get('to') : isoDay(Date.now());
  const from = DATE.test(params.get('from') ?? '') ? params.get('from') : isoDay(Date.parse(to) - 29 * 86_400_000);
  return {
    campaign: families.includes(params.get('campaign')) ? params.get('campaign') : families[0],
    from,
    to,
    interval: INTERVALS.includes(params.get('interval')) ? params.get('interval') : 'day',
    tz: params.get('tz') || 'Asia/Almaty',
    lang,
  };
}

function stateUrl(s) {
  const params = new URLSearchParams({ campaign: s.campaign, from: s.from, to: s.to, interval: s.interval, tz: s.tz, lang: s.lang });
  return `${location.pathname}?${params}`;
}

/**
 * The API key the reader gave, for a server without anonymous access: kept in this tab's session storage
 * only (never in the address, which is shared and logged), and sent as X-API-Key.
 */
const KEY_STORAGE = 'tagpulse.apiKey';

/** A GET on the API; a 429 is retried after the Retry-After the server gives; a 401 asks for a key. */
async function api(path, query) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query)) {
    for (const v of [value].flat()) if (v !== undefined && v !== null) url.searchParams.append(name, String(v));
  }
  const headers = { accept: 'application/json' };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) headers['x-api-key'] = key;
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers });
    if (response.status === 401) $('#key-form').hidden = false;
    if (response.status === 429 && attempt < 3) {
      const seconds = Number(response.headers.get('retry-after')) || 1;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      continue;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.error ?? `HTTP ${response.status}`);
    return body;
  }
}

const total = (rows, field) => rows.reduce((sum, row) => sum + (row[field] ?? 0), 0);

/** How each chart's rows are built from the API (docs/dashboards.md lists the calls). Shared answers are asked once. */
function loaders(s) {
  const range = { from: s.from, to: s.to, tz: s.tz };
  const asked = new Map();
  const once = (key, ask) => {
    if (!asked.has(key)) asked.set(key, ask());
    return asked.get(key);
  };
  const trends = (extra) => api('/api/trends', { family: s.campaign, interval: s.interval, ...range, ...extra });
  const abuse = (extra) => api('/api/abuse', { interval: s.interval, ...range, ...extra });
  const split = (field, values) =>
    once(field, async () => {
      const answers = await Promise.all(values.map((value) => trends({ [field]: value, interval: 'month' })));
      return values.map((value, i) => ({ series: s.campaign, [field]: value, posts: total(answers[i].rows, 'posts') })).filter((r) => r.posts > 0);
    });
  const pairs = async () => (await once('cooccurrence', () => api('/api/cooccurrence', { tag: s.campaign, limit: 60, ...range }))).rows.map((r) => ({ tag: r.tag_a, partner: r.tag_b, count: r.count }));
  const ownAbuse = () => once('abuse', () => abuse({ family: s.campaign }));
  return {
    volume: async () => (await once('trends', () => trends({}))).rows.map((r) => ({ series: s.campaign, bucket_start: Date.parse(r.bucket_start), posts: r.posts })),
    platforms: () => split('platform', definition.platforms),
    languages: () => split('lang', definition.langs),
    partners: pairs,
    network: pairs,
    'abuse-share': async () => (await ownAbuse()).rows.map((r) => ({ bucket_start: Date.parse(r.bucket_start), posts: r.posts, toward_women: r.abusive_toward_women })),
    'abuse-categories': async () => {
      const answer = await ownAbuse();
      return answer.meta.categories.map((category) => ({ category, abusive: answer.rows.reduce((sum, r) => sum + (r.categories[category] ?? 0), 0) }));
    },
    'abuse-platforms': async () => {
      const present = await split('platform', definition.platforms);
      const answers = await Promise.all(present.map((p) => abuse({ family: s.campaign, platform: p.platform, interval: 'month' })));
      return present.map((p, i) => ({ platform: p.platform, posts: total(answers[i].rows, 'posts'), toward_women: total(answers[i].rows, 'abusive_toward_women') }));
    },
    'abuse-campaigns': async () => {
      const answer = await abuse({ family: definition.families.map((f) => f.name), interval: 'month' });
      const byCampaign = new Map();
      for (const r of answer.rows) {
        const campaign = r.tag.replace(/^family:/, '');
        const row = byCampaign.get(campaign) ?? { campaign, posts: 0, abusive: 0, toward_women: 0 };
        row.posts += r.posts;
        row.abusive += r.abusive;
        row.toward_women += r.abusive_toward_women;
        byCampaign.set(campaign, row);
      }
      return [...byCampaign.values()].filter((r) => r.posts > 0);
    },
  };
}

function formatCell(column, value) {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return '–';
  const locale = state.lang === 'kk' ? 'kk-KZ' : state.lang === 'ru' ? 'ru-RU' : 'en-GB';
  switch (column.type) {
    case 'number':
      return Number(value).toLocaleString(locale);
    case 'share':
      return Number(value).toLocaleString(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    case 'time':
      return new Intl.DateTimeFormat(locale, { timeZone: state.tz, dateStyle: 'medium', ...(state.interval === 'hour' ? { timeStyle: 'short' } : {}) }).format(new Date(value));
    case 'flag':
      return value ? t('yes') : t('no');
    default:
      return String(value);
  }
}

function rawValue(column, value) {
  if (value === null || value === undefined) return '';
  if (column.type === 'time') return new Date(value).toISOString();
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** RFC 4180, with cells that a spreadsheet would run as a formula neutralised (a leading apostrophe). */
function toCsv(columns, rows) {
  const cell = (text) => {
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [columns.map((c) => cell(c.field)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(rawValue(c, row[c.field]))).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** The rows the table shows: the first dataset of the view with every column, derived ones (share, interval, spike) included. */
function tableRows(view, vegaSpec, columns, rows) {
  for (const data of vegaSpec.data ?? []) {
    let values;
    try {
      values = view.data(data.name);
    } catch {
      continue;
    }
    if (values.length === rows.length && values.length > 0 && columns.every((c) => c.field in values[0])) return values;
  }
  return rows;
}

function renderTable(chart, section, rows) {
  const table = $('table', section);
  table.replaceChildren();
  table.append(el('caption', { text: `${t('tableOf')}: ${chart.title[state.lang]}` }));
  const head = el('tr');
  for (const column of chart.columns) head.append(el('th', { scope: 'col', text: column.title[state.lang] }));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    for (const column of chart.columns) {
      const value = row[column.field];
      tr.append(
        el('td', {
          class: column.type === 'number' || column.type === 'share' ? 'number' : undefined,
          'data-field': column.field,
          'data-value': rawValue(column, value),
          text: formatCell(column, value),
        }),
      );
    }
    body.append(tr);
  }
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: chart.columns.length, text: t('noData') })));
  table.append(body);
}

async function draw(chart, section, rows) {
  const spec = structuredClone(chart.spec);
  spec.description = chart.description[state.lang];
  let vegaSpec;
  if (chart.grammar === 'vega-lite') {
    spec.data = { name: 'rows', values: rows };
    vegaSpec = vegaLite.compile(spec).spec;
  } else {
    spec.data = [{ name: 'rows', values: rows }, ...spec.data.slice(1)];
    vegaSpec = spec;
  }
  drawn.get(chart.id)?.view?.finalize();
  vega.timeFormatLocale(VEGA_LOCALES[state.lang].time);
  vega.formatLocale(VEGA_LOCALES[state.lang].number);
  const container = $('.vis', section);
  container.replaceChildren();
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'svg', container, hover: true });
  await view.runAsync();
  const shown = tableRows(view, vegaSpec, chart.columns, rows);
  drawn.set(chart.id, { rows, view, shown });
  renderTable(chart, section, shown);
}

function chartSection(chart) {
  const titleId = `title-${chart.id}`;
  const descriptionId = `description-${chart.id}`;
  const tableId = `table-${chart.id}`;
  const toggle = el('button', { type: 'button', class: 'secondary toggle-table', 'aria-expanded': 'false', 'aria-controls': tableId });
  const download = el('button', { type: 'button', class: 'secondary download-csv' });
  const section = el(
    'section',
    { class: `chart${chart.id === 'volume' || chart.id === 'abuse-share' ? ' wide' : ''}`, id: `chart-${chart.id}`, 'data-chart': chart.id, 'data-state': 'loading', 'aria-labelledby': titleId, 'aria-busy': 'true' },
    el('h3', { id: titleId }),
    el('p', { id: descriptionId, class: 'description' }),
    el('div', { class: 'vis', role: 'img', tabindex: '0', 'aria-labelledby': titleId, 'aria-describedby': descriptionId }),
    el('p', { class: 'error', role: 'alert', hidden: true }),
    el('div', { class: 'chart-actions' }, download, toggle),
    el('table', { id: tableId, class: 'sr-only' }),
  );
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    $('table', section).classList.toggle('sr-only', !open);
    toggle.textContent = open ? t('hideTable') : t('showTable');
  });
  download.addEventListener('click', () => {
    const shown = drawn.get(chart.id)?.shown ?? [];
    const blob = new Blob([toCsv(chart.columns, shown)], { type: 'text/csv;charset=utf-8' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `tagpulse-${chart.id}-${state.campaign}-${state.from}-${state.to}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  });
  return section;
}

/** Every text of the page in the chosen language (the charts' own and the interface's). */
function relabel() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const dashboard of definition.dashboards) {
    const heading = $(`#dashboard-${dashboard.id} h2`);
    heading.textContent = dashboard.title[state.lang];
    $(`#dashboard-${dashboard.id} > p`).textContent = dashboard.description[state.lang];
  }
  for (const chart of definition.charts) {
    const section = $(`#chart-${chart.id}`);
    $('h3', section).textContent = chart.title[state.lang];
    $('p.description', section).textContent = chart.description[state.lang];
    $('.download-csv', section).textContent = t('downloadCsv');
    const toggle = $('.toggle-table', section);
    toggle.textContent = toggle.getAttribute('aria-expanded') === 'true' ? t('hideTable') : t('showTable');
    const done = drawn.get(chart.id);
    if (done) renderTable(chart, section, done.shown);
  }
  const campaign = $('#campaign');
  campaign.replaceChildren(...definition.families.map((f) => el('option', { value: f.name, text: f.description ? `#${f.name} — ${f.description}` : `#${f.name}` })));
  campaign.value = state.campaign;
  document.title = `Tagpulse — ${state.campaign}`;
}

function fillControls() {
  $('#campaign').value = state.campaign;
  $('#from').value = state.from;
  $('#to').value = state.to;
  $('#interval').value = state.interval;
  $('#ui-lang').value = state.lang;
}

let generation = 0;

async function load() {
  const mine = ++generation;
  document.body.dataset.viewState = 'loading';
  $('#status').textContent = t('loading');
  const load = loaders(state);
  const failures = [];
  await Promise.all(
    definition.charts.map(async (chart) => {
      const section = $(`#chart-${chart.id}`);
      section.dataset.state = 'loading';
      section.setAttribute('aria-busy', 'true');
      const error = $('.error', section);
      try {
        const rows = await load[chart.id]();
        if (mine !== generation) return;
        await draw(chart, section, rows);
        error.hidden = true;
        section.dataset.state = 'ready';
      } catch (cause) {
        if (mine !== generation) return;
        error.hidden = false;
        error.textContent = cause.message;
        section.dataset.state = 'error';
        failures.push(chart.title[state.lang]);
      } finally {
        section.setAttribute('aria-busy', 'false');
      }
    }),
  );
  if (mine !== generation) return;
  $('#status').textContent = failures.length ? `${t('failed')}${failures.join(', ')}` : t('ready');
  document.body.dataset.viewState = failures.length ? 'error' : 'ready';
}

function build() {
  const main = $('#main');
  for (const dashboard of definition.dashboards) {
    const grid = el('div', { class: 'grid' }, ...definition.charts.filter((c) => c.dashboard === dashboard.id).map(chartSection));
    main.append(el('section', { id: `dashboard-${dashboard.id}`, class: 'dashboard' }, el('h2'), el('p'), grid));
  }
  $('#controls').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    state = { ...state, campaign: form.get('campaign'), from: form.get('from'), to: form.get('to'), interval: form.get('interval'), lang: form.get('lang') };
    history.pushState(null, '', stateUrl(state));
    relabel();
    load();
  });
  $('#ui-lang').addEventListener('change', async (event) => {
    state = { ...state, lang: event.target.value };
    history.replaceState(null, '', stateUrl(state));
    relabel();
    // Axes and tooltips write dates and numbers in the language: draw again from the rows already loaded.
    document.body.dataset.viewState = 'loading';
    for (const chart of definition.charts) {
      const done = drawn.get(chart.id);
      if (done) await draw(chart, $(`#chart-${chart.id}`), done.rows);
    }
    document.body.dataset.viewState = 'ready';
    $('#status').textContent = t('ready');
  });
  $('#key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, new FormData(event.target).get('key').trim());
    event.target.reset();
    event.target.hidden = true;
    load();
  });
  $('#copy-link').addEventListener('click', async () => {
    const address = new URL(stateUrl(state), location.origin).href;
    try {
      await navigator.clipboard.writeText(address);
      $('#status').textContent = t('copied');
    } catch {
      $('#status').textContent = `${t('copyFailed')}${address}`;
    }
  });
  window.addEventListener('popstate', () => {
    state = readState();
    fillControls();
    relabel();
    load();
  });
}

async function main() {
  definition = await (await fetch('/dashboards/charts.json')).json();
  state = readState();
  build();
  relabel();
  fillControls();
  history.replaceState(null, '', stateUrl(state));
  await load();
}

main().catch((error) => {
  document.body.dataset.viewState = 'error';
  $('#status').textContent = error.message;
});
