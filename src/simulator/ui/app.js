// waotp inbox page: plain JavaScript, no framework, no build step, served by the simulator itself.
// Messages arrive live over Server-Sent Events (/__admin/events); the admin API does everything else.
// `?session=<id>` in the page URL scopes the page to one x-waotp-session, like the admin API's header.

const $ = (selector, root = document) => root.querySelector(selector);
const session = new URLSearchParams(location.search).get('session') || '';
const SNAPSHOT_LIMIT = 1000;
const KEEP = 2000;

const state = {
  messages: new Map(), // id -> InboxMessage
  selected: null, // phone digits
  provider: '',
  to: '',
  journal: new Map(), // requestId -> Promise<entry | null>
  open: new Set(), // message ids whose details are open
  outcomes: [...$('#arm-outcome').options].map((o) => o.value),
  providerNames: new Map(
    [...$('#filter-provider').options].filter((o) => o.value).map((o) => [o.value, o.textContent]),
  ),
};

// ---------- helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

function svg(path, className) {
  const NS = 'http://www.w3.org/2000/svg';
  const root = document.createElementNS(NS, 'svg');
  root.setAttribute('viewBox', '0 0 20 14');
  root.setAttribute('aria-hidden', 'true');
  root.setAttribute('focusable', 'false');
  root.setAttribute('class', className);
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', path);
  root.append(p);
  return root;
}

const TICKS = {
  accepted: {
    path: 'M9 2.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9M9 4.5v2.7l1.8 1.3',
    label: 'accepted, no delivery report yet',
  },
  sent: { path: 'M4 7.5l3 3 6-7', label: 'sent' },
  delivered: { path: 'M1 7.5l3 3 6-7M8 9.5l1 1 6-7', label: 'delivered' },
  read: { path: 'M1 7.5l3 3 6-7M8 9.5l1 1 6-7', label: 'read' },
  failed: { path: 'M9 2.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9M9 4.7v2.6M9 9.4v.1', label: 'failed' },
};

function announce(text) {
  const region = $('#announcer');
  region.textContent = '';
  // A fresh text node after a tick, so screen readers repeat an identical message.
  setTimeout(() => (region.textContent = text), 30);
}

const seq = (m) => Number(m.id.replace(/\D+/g, '')) || 0;
const phone = (digits) => `+${digits}`;
const providerName = (id) => state.providerNames.get(id) ?? id;
const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

class ApiError extends Error {}

async function api(path, { json, ...init } = {}) {
  const headers = new Headers(init.headers);
  if (session) headers.set('x-waotp-session', session);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers, ...(json !== undefined && { body: JSON.stringify(json) }) });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(body?.detail || body?.title || `${response.status} ${response.statusText}`);
  return body;
}

// WhatsApp's own formatting in the rendered text: *bold* and _italic_; everything else stays text.
function formatted(text) {
  const out = [];
  const pattern = /\*([^*\n]+)\*|_([^_\n]+)_/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out.push(text.slice(last, match.index));
    out.push(match[1] !== undefined ? el('strong', {}, match[1]) : el('em', {}, match[2]));
    last = match.index + match[0].length;
  }
  out.push(text.slice(last));
  return out;
}

const pretty = (value) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

// ---------- derived views ----------

function visible() {
  const digits = state.to.replace(/\D+/g, '');
  return [...state.messages.values()].filter(
    (m) => (!state.provider || m.provider === state.provider) && (!digits || m.to.includes(digits)),
  );
}

function phones(messages) {
  const byPhone = new Map();
  for (const m of messages.sort((a, b) => seq(b) - seq(a))) {
    const entry = byPhone.get(m.to);
    if (entry) entry.count++;
    else byPhone.set(m.to, { to: m.to, latest: m, count: 1 });
  }
  return [...byPhone.values()];
}

// ---------- rendering ----------

function render() {
  const list = phones(visible());
  if (!list.some((p) => p.to === state.selected)) state.selected = list[0]?.to ?? null;
  renderPhones(list);
  renderThread();
}

function renderPhones(list) {
  const ul = $('#phones');
  const focused = document.activeElement?.closest?.('#phones [data-to]')?.dataset.to;
  ul.replaceChildren(
    ...list.map((p) =>
      el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            class: 'phone',
            'data-to': p.to,
            'aria-current': p.to === state.selected ? 'true' : undefined,
            onclick: () => select(p.to),
          },
          el('span', { class: 'phone-number' }, phone(p.to)),
          el('span', { class: 'phone-latest' }, `${p.latest.code} · ${providerName(p.latest.provider)}`),
          el(
            'span',
            { class: 'phone-count', 'aria-label': `${p.count} message${p.count === 1 ? '' : 's'}` },
            String(p.count),
          ),
        ),
      ),
    ),
  );
  $('#phones-empty').hidden = list.length > 0;
  $('#phones-empty').textContent =
    state.messages.size > 0
      ? 'No message matches the filters.'
      : 'No messages yet. Send an OTP to any provider endpoint and it appears here.';
  if (focused) $(`#phones [data-to="${CSS.escape(focused)}"]`)?.focus();
}

let renderQueued = false;
function scheduleRender() {
  // A burst of events renders once per frame.
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function select(to) {
  state.selected = to;
  render();
  $('#thread').focus();
}

function renderThread() {
  const ol = $('#messages');
  const messages = state.selected
    ? visible()
        .filter((m) => m.to === state.selected)
        .sort((a, b) => seq(a) - seq(b))
    : [];
  $('#thread-title').textContent = state.selected ? `Messages to ${phone(state.selected)}` : 'Messages';
  // Keep bubbles that exist (their open details, focus and loaded journal entry survive).
  const existing = new Map([...ol.children].map((li) => [li.dataset.id, li]));
  const wanted = messages.map((m) => {
    const li = existing.get(m.id);
    if (li) {
      patchBubble(li, m);
      return li;
    }
    return bubble(m);
  });
  const same = wanted.length === ol.children.length && wanted.every((li, i) => ol.children[i] === li);
  if (!same) ol.replaceChildren(...wanted);
  const last = ol.lastElementChild;
  if (last && !same) last.scrollIntoView({ block: 'nearest' });
}

function bubble(m) {
  const codeId = `code-${m.id}`;
  const details = el(
    'details',
    { class: 'raw', open: state.open.has(m.id) },
    el('summary', {}, 'Request, reply and callbacks'),
    el('div', { class: 'journal' }),
    el('div', { class: 'delivery' }),
  );
  details.addEventListener('toggle', () => {
    if (details.open) {
      state.open.add(m.id);
      loadJournal(details, state.messages.get(m.id) ?? m);
    } else state.open.delete(m.id);
  });
  const li = el(
    'li',
    { class: 'msg', 'data-id': m.id },
    el(
      'article',
      { class: 'bubble', 'aria-labelledby': codeId },
      el(
        'p',
        { class: 'meta' },
        el('span', { class: 'provider' }, providerName(m.provider)),
        ' ',
        el('time', { datetime: m.createdAt }, time(m.createdAt)),
      ),
      el('p', { class: 'text' }, formatted(m.text)),
      el(
        'div',
        { class: 'code-row' },
        el('span', { class: 'code', id: codeId, 'aria-label': `Code ${m.code}` }, m.code),
        el(
          'button',
          {
            type: 'button',
            class: 'copy',
            'aria-label': `Copy code ${m.code}`,
            onclick: (e) => copy(m.code, e.currentTarget),
          },
          'Copy',
        ),
      ),
      el('p', { class: 'failure', hidden: true }),
      el('p', { class: 'status' }),
      details,
    ),
  );
  patchBubble(li, m);
  if (details.open) loadJournal(details, m);
  return li;
}

function patchBubble(li, m) {
  const status = m.status === 'accepted' && m.events?.length ? m.events.at(-1).state : m.status;
  li.dataset.status = status;
  const tick = TICKS[status] ?? TICKS.accepted;
  $('.status', li).replaceChildren(
    svg(tick.path, `ticks ticks-${status}`),
    el('span', { class: 'status-text' }, tick.label),
  );
  const failure = $('.failure', li);
  failure.hidden = !m.failure;
  failure.textContent = m.failure
    ? `Delivery ${status === 'failed' ? 'failed' : 'will fail'}: ` +
      `${m.failure.code} ${m.failure.title}${m.failure.details ? ` (${m.failure.details})` : ''}`
    : '';
  renderDelivery($('.delivery', li), m);
}

function renderDelivery(root, m) {
  const events = m.events ?? [];
  const callbacks = m.callbacks ?? [];
  root.replaceChildren(
    el('h4', {}, 'Delivery'),
    events.length
      ? el(
          'ol',
          { class: 'events' },
          events.map((e) => el('li', {}, el('strong', {}, e.state), ' ', el('time', { datetime: e.at }, time(e.at)))),
        )
      : el('p', { class: 'muted' }, 'No delivery report yet.'),
    el('h4', {}, `Callbacks${callbacks.length ? ` (${callbacks.length})` : ''}`),
    callbacks.length
      ? el(
          'ol',
          { class: 'callbacks' },
          callbacks.map((a) =>
            el(
              'li',
              { class: a.error || (a.status ?? 0) >= 300 ? 'bad' : 'good' },
              el(
                'p',
                {},
                el('strong', {}, a.event),
                ` attempt ${a.attempt}: ${a.method} ${a.url} → `,
                el('strong', {}, a.error ? a.error : `HTTP ${a.status ?? '…'}`),
                a.durationMs !== undefined ? ` in ${a.durationMs} ms` : '',
                ' at ',
                el('time', { datetime: a.at }, time(a.at)),
              ),
              el('details', {}, el('summary', {}, 'Callback request'), el('pre', {}, pretty(a.request))),
            ),
          ),
        )
      : el(
          'p',
          { class: 'muted' },
          m.callback?.url ? 'No callback attempt yet.' : 'No callback attempt (no callback URL for this send).',
        ),
  );
}

function loadJournal(details, m) {
  const root = $('.journal', details);
  if (root.dataset.loaded) return;
  root.dataset.loaded = 'true';
  root.replaceChildren(el('p', { class: 'muted' }, 'Loading the request…'));
  if (!state.journal.has(m.requestId)) {
    state.journal.set(
      m.requestId,
      api(`/__admin/requests/${encodeURIComponent(m.requestId)}`).catch(() => null),
    );
  }
  state.journal.get(m.requestId).then((entry) => {
    if (!entry) {
      root.replaceChildren(el('p', { class: 'muted' }, `Request ${m.requestId} is no longer in the journal.`));
      return;
    }
    root.replaceChildren(
      el('h4', {}, 'Request'),
      el(
        'p',
        { class: 'line' },
        el('code', {}, `${entry.method} ${entry.path}`),
        ` · ${entry.id} · ${entry.durationMs} ms`,
      ),
      el(
        'pre',
        {},
        pretty({
          headers: entry.request.headers,
          ...(Object.keys(entry.request.query).length && { query: entry.request.query }),
          body: entry.request.body,
        }),
      ),
      el('h4', {}, 'Reply'),
      el(
        'p',
        { class: 'line' },
        el('code', {}, `HTTP ${entry.reply.status}`),
        ` · outcome ${entry.outcome} (by ${entry.reason.by}${entry.reason.detail ? `: ${entry.reason.detail}` : ''})`,
      ),
      el('pre', {}, pretty({ headers: entry.reply.headers, body: entry.reply.body })),
    );
  });
}

async function copy(code, button) {
  try {
    await navigator.clipboard.writeText(code);
  } catch {
    // Without clipboard permission: select the code so Ctrl+C works, and try the old way.
    const range = document.createRange();
    range.selectNodeContents(button.previousElementSibling);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    try {
      document.execCommand('copy');
    } catch {}
  }
  button.textContent = 'Copied';
  announce(`Code ${code} copied`);
  setTimeout(() => (button.textContent = 'Copy'), 1500);
}

// ---------- live updates ----------

let pending = null; // events that arrive while a snapshot loads, replayed on top of it

async function reload() {
  const queue = [];
  pending = queue;
  try {
    const data = await api(`/__admin/messages?limit=${SNAPSHOT_LIMIT}`);
    if (pending !== queue) return; // a newer reload took over
    // Oldest first, so the map's first key is the one to drop past KEEP.
    state.messages = new Map(data.messages.reverse().map((m) => [m.id, m]));
    pending = null;
    for (const event of queue) apply(event, false);
    render();
  } catch (error) {
    if (pending === queue) pending = null;
    announce(`Could not load the inbox: ${error.message}`);
  }
  refreshRules();
}

function apply({ change, message }, live) {
  state.messages.set(message.id, message);
  if (state.messages.size > KEEP) state.messages.delete(state.messages.keys().next().value);
  if (live && change === 'added')
    announce(`New code ${message.code} for ${phone(message.to)} from ${providerName(message.provider)}`);
}

function connect() {
  const live = $('#live');
  const setLive = (value, text) => {
    live.dataset.state = value;
    live.textContent = text;
  };
  const source = new EventSource(`/__admin/events${session ? `?session=${encodeURIComponent(session)}` : ''}`);
  source.addEventListener('ready', () => {
    setLive('live', session ? `Live · session ${session}` : 'Live');
    reload();
  });
  source.addEventListener('message', (e) => {
    const event = JSON.parse(e.data);
    if (pending) return void pending.push(event);
    apply(event, true);
    scheduleRender();
    scheduleRules();
  });
  source.addEventListener('cleared', () => reload());
  source.addEventListener('error', () => setLive('offline', 'Reconnecting…'));
  addEventListener('pagehide', () => source.close());
}

// ---------- scenarios ----------

let rulesTimer = 0;
function scheduleRules() {
  // Sends use up rules: refresh after a burst of messages, not once per message.
  clearTimeout(rulesTimer);
  rulesTimer = setTimeout(refreshRules, 300);
}

/** Whom a rule applies to, as the page words it: "+628… on Splashify Pro", "any number on any provider". */
function ruleTarget(rule) {
  const number = rule.to ? phone(rule.to) : 'any number';
  return `${number} on ${rule.provider ? providerName(rule.provider) : 'any provider'}`;
}

async function refreshRules() {
  let rules;
  try {
    ({ rules } = await api('/__admin/scenarios'));
  } catch (error) {
    announce(`Could not load the armed rules: ${error.message}`);
    return;
  }
  const focusedId = document.activeElement?.dataset?.rule;
  const ul = $('#rules');
  ul.replaceChildren(
    ...rules.map((r) => {
      const limit = r.times ?? (r.outcomes.length === 1 ? Infinity : r.outcomes.length);
      const target = ruleTarget(r);
      return el(
        'li',
        { class: 'rule' },
        el(
          'p',
          {},
          el('strong', {}, r.outcomes.join(' → ')),
          ` for ${target}`,
          r.label ? el('span', { class: 'muted' }, ` “${r.label}”`) : '',
          el(
            'span',
            { class: 'muted' },
            ` · used ${r.used}${Number.isFinite(limit) ? ` of ${limit}` : ', until disarmed'}` +
              `${r.session ? ` · session ${r.session}` : ''}`,
          ),
        ),
        el(
          'button',
          {
            type: 'button',
            class: 'disarm',
            'data-rule': r.id,
            'aria-label': `Disarm ${r.outcomes.join(', ')} for ${target}`,
            onclick: () => disarm(r.id),
          },
          'Disarm',
        ),
      );
    }),
  );
  $('#rules-empty').hidden = rules.length > 0;
  if (focusedId) $(`[data-rule="${CSS.escape(focusedId)}"]`)?.focus();
}

async function disarm(id) {
  const buttons = [...document.querySelectorAll('#rules .disarm')];
  const next = buttons[buttons.findIndex((b) => b.dataset.rule === id) + 1] ?? buttons.at(-2);
  try {
    await api(`/__admin/scenarios/${encodeURIComponent(id)}`, { method: 'DELETE' });
    announce('Rule disarmed');
  } catch (error) {
    announce(`Could not disarm: ${error.message}`);
  }
  await refreshRules();
  // Keep keyboard focus in the list rather than losing it with the removed button.
  ($(`[data-rule="${CSS.escape(next?.dataset.rule ?? '')}"]`) ?? $('#arm-submit')).focus();
}

async function arm(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $('#arm-status');
  const fields = new FormData(form);
  const to = String(fields.get('to') ?? '').trim();
  const provider = String(fields.get('provider') ?? '');
  const sequence = String(fields.get('sequence') ?? '').trim();
  const times = String(fields.get('times') ?? '').trim();
  const outcomes = sequence ? sequence.split(/[\s,]+/).filter(Boolean) : [String(fields.get('outcome'))];
  const report = (message, { field, error = Boolean(field) } = {}) => {
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    if (field) {
      form.elements[field].setAttribute('aria-invalid', 'true');
      form.elements[field].focus();
    }
    status.className = `form-status${error ? ' error' : ''}`;
    status.textContent = message;
  };
  const unknown = outcomes.filter((o) => !state.outcomes.includes(o));
  if (unknown.length)
    return report(`Unknown outcome ${unknown.join(', ')}. Known: ${state.outcomes.join(', ')}.`, { field: 'sequence' });
  if (to && !/^\d{4,20}$/.test(to.replace(/[\s\-().+]/g, '')))
    return report('The number must be 4 to 20 digits, for example +12085550100.', { field: 'to' });
  if (times && !(Number.isInteger(Number(times)) && Number(times) > 0))
    return report('Times must be a whole number above 0.', { field: 'times' });
  try {
    const rule = await api('/__admin/scenarios', {
      method: 'POST',
      json: { outcomes, ...(to && { to }), ...(provider && { provider }), ...(times && { times: Number(times) }) },
    });
    report(`Armed: ${rule.outcomes.join(' → ')} for ${ruleTarget(rule)}.`);
  } catch (error) {
    report(`Not armed: ${error.message}`, { error: true });
  }
  await refreshRules();
}

// ---------- wiring ----------

$('#filter-provider').addEventListener('change', (e) => {
  state.provider = e.currentTarget.value;
  render();
});
$('#filter-to').addEventListener('input', (e) => {
  state.to = e.currentTarget.value;
  render();
});
$('#filters').addEventListener('submit', (e) => e.preventDefault());
$('#clear').addEventListener('click', async () => {
  try {
    await api('/__admin/messages', { method: 'DELETE' });
    announce('Inbox cleared');
  } catch (error) {
    announce(`Could not clear the inbox: ${error.message}`);
  }
  reload();
});
$('#arm').addEventListener('submit', arm);

connect();
