/**
 * The inbox page's server-rendered shell: layout, filters, the scenario form and the outcome catalogue.
 * Messages, phones and armed rules are filled in and kept live by `app.js` over `/__admin/events`.
 * @module
 */
import type { FC } from 'hono/jsx';

export interface PageProps {
  providers: { id: string; name: string }[];
  outcomes: { name: string; summary: string; numbers: { from: string; to: string }[] }[];
  assets: { js: string; css: string };
}

// A tiny inline icon, so the browser asks for no /favicon.ico (a 404 in the console).
const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E" +
  "%3Crect width='32' height='32' rx='8' fill='%23075e54'/%3E" +
  "%3Cpath d='M9 17l5 5 9-11' stroke='white' stroke-width='3' fill='none'/%3E" +
  '%3C/svg%3E';

const ProviderOptions: FC<{ providers: PageProps['providers']; any: string }> = ({ providers, any }) => (
  <>
    <option value="">{any}</option>
    {providers.map((p) => (
      <option value={p.id}>{p.name}</option>
    ))}
  </>
);

const ArmForm: FC<PageProps> = ({ providers, outcomes }) => (
  <form id="arm" class="arm" aria-labelledby="arm-title" novalidate>
    <h3 id="arm-title">Arm an outcome</h3>
    <p class="hint" id="arm-hint">
      The next sends to this number and/or provider get this outcome. Leave both empty to match every send.
    </p>
    <div class="field">
      <label for="arm-to">Number</label>
      <input
        id="arm-to"
        name="to"
        type="tel"
        inputmode="tel"
        autocomplete="off"
        placeholder="+12085550100"
        aria-describedby="arm-hint"
      />
    </div>
    <div class="field">
      <label for="arm-provider">Provider</label>
      <select id="arm-provider" name="provider">
        <ProviderOptions providers={providers} any="Any provider" />
      </select>
    </div>
    <div class="field">
      <label for="arm-outcome">Outcome</label>
      <select id="arm-outcome" name="outcome">
        {outcomes.map((o) => (
          <option value={o.name}>{o.name}</option>
        ))}
      </select>
    </div>
    <div class="field">
      <label for="arm-sequence">Sequence (optional)</label>
      <input
        id="arm-sequence"
        name="sequence"
        type="text"
        autocomplete="off"
        placeholder="rate_limited, accepted"
        aria-describedby="arm-sequence-hint"
      />
      <p class="hint" id="arm-sequence-hint">
        Outcomes separated by commas, one per send, used instead of the single outcome.
      </p>
    </div>
    <div class="field">
      <label for="arm-times">Times (optional)</label>
      <input
        id="arm-times"
        name="times"
        type="number"
        min="1"
        step="1"
        inputmode="numeric"
        aria-describedby="arm-times-hint"
      />
      <p class="hint" id="arm-times-hint">
        How many sends the rule answers; by default one outcome answers every send, a sequence once each.
      </p>
    </div>
    <div class="actions">
      <button type="submit" id="arm-submit" class="primary">
        Arm
      </button>
    </div>
    <p id="arm-status" class="form-status" role="status" aria-live="polite"></p>
  </form>
);

const Catalogue: FC<{ outcomes: PageProps['outcomes'] }> = ({ outcomes }) => (
  <details class="catalogue">
    <summary>
      <h3>Outcome catalogue and magic numbers</h3>
    </summary>
    <p class="hint">A send to a magic number gets its outcome on every provider, with no rule armed.</p>
    <table>
      <caption class="visually-hidden">Outcomes, what they do and the numbers reserved for them</caption>
      <thead>
        <tr>
          <th scope="col">Outcome</th>
          <th scope="col">Magic numbers</th>
        </tr>
      </thead>
      <tbody>
        {outcomes.map((o) => (
          <tr>
            <th scope="row">
              <code>{o.name}</code>
              <span class="summary">{o.summary}</span>
            </th>
            <td>
              {o.numbers.map((r) => (
                <span class="range">
                  <code>{r.from}</code> – <code>{r.to}</code>
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </details>
);

const Page: FC<PageProps> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <title>waotp inbox</title>
      <link rel="icon" href={ICON} />
      <link rel="stylesheet" href={props.assets.css} />
      <script type="module" src={props.assets.js}></script>
    </head>
    <body>
      <a class="skip" href="#thread">
        Skip to messages
      </a>
      <header class="bar">
        <h1>
          waotp <span>inbox</span>
        </h1>
        {/* biome-ignore lint/a11y/useSemanticElements: role=search on a form is the landmark screen readers know;
            <search> is too new */}
        <form id="filters" class="filters" role="search" aria-label="Filter messages">
          <div class="filter">
            <label for="filter-provider">Filter by provider</label>
            <select id="filter-provider" name="provider">
              <ProviderOptions providers={props.providers} any="All providers" />
            </select>
          </div>
          <div class="filter">
            <label for="filter-to">Filter by number</label>
            <input id="filter-to" name="to" type="search" inputmode="tel" autocomplete="off" placeholder="+62812…" />
          </div>
        </form>
        <button type="button" id="clear" class="danger">
          Clear inbox
        </button>
        <p id="live" class="live" role="status" data-state="connecting">
          Connecting…
        </p>
      </header>
      <main class="layout">
        <nav class="phones" aria-labelledby="phones-title">
          <h2 id="phones-title">Phones</h2>
          <ul id="phones"></ul>
          <p id="phones-empty" class="empty">
            No messages yet. Send an OTP to any provider endpoint and it appears here.
          </p>
        </nav>
        <section id="thread" class="thread" aria-labelledby="thread-title" tabindex={-1}>
          <h2 id="thread-title">Messages</h2>
          <ol id="messages" class="messages"></ol>
        </section>
        <aside class="scenarios" aria-labelledby="scenarios-title">
          <h2 id="scenarios-title">Scenarios</h2>
          <ArmForm {...props} />
          <section aria-labelledby="rules-title">
            <h3 id="rules-title">Armed rules</h3>
            <ul id="rules" class="rules"></ul>
            <p id="rules-empty" class="empty">
              None: sends get their magic-number outcome, or are accepted.
            </p>
          </section>
          <Catalogue outcomes={props.outcomes} />
        </aside>
      </main>
      <p id="announcer" class="visually-hidden" aria-live="polite"></p>
    </body>
  </html>
);

/**
 * Renders the page to an HTML document.
 * @example
 * c.html(renderPage({ providers, outcomes, assets: { js: '/__admin/ui/app.js', css: '/__admin/ui/app.css' } }));
 */
export function renderPage(props: PageProps): string {
  return `<!doctype html>${String(<Page {...props} />)}`;
}
