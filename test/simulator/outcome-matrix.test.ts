import { describe, expect, it } from 'vitest';
import { providers } from '../../src/providers/index.js';
import { isRejection, OUTCOMES, type Outcome } from '../../src/providers/outcomes.js';
import { loadCatalogue } from '../../src/simulator/catalogue.js';
import { useSimulator } from '../helpers/http.js';

const catalogue = loadCatalogue();
/** A distinct magic number per provider and endpoint, so rows never share a recipient. */
const magicNumber = (outcome: Outcome, offset: number) =>
  String(BigInt(catalogue.outcomes[outcome].numbers[0]!.from) + BigInt(offset));

const rows = providers.flatMap((provider) =>
  provider.endpoints.filter((e) => e.kind === 'send' && e.sample).map((endpoint) => ({ provider, endpoint })),
);

describe('every provider x every outcome, chosen by magic number', () => {
  const s = useSimulator({ delays: { slowMs: 30, timeoutCapMs: 3000 } });

  it('covers every registered provider', () => {
    expect(new Set(rows.map((r) => r.provider.id))).toEqual(new Set(providers.map((p) => p.id)));
  });

  describe.each(rows.map((row, i) => ({ ...row, i, name: `${row.provider.id} ${row.endpoint.operationId}` })))(
    '$name',
    ({ provider, endpoint, i }) => {
      const send = (outcome: Outcome, signal?: AbortSignal) => {
        const to = magicNumber(outcome, i);
        const sample = endpoint.sample!(to);
        return {
          to,
          response: fetch(s.url + sample.path, {
            method: endpoint.method,
            headers: sample.headers,
            body: JSON.stringify(sample.body),
            ...(signal && { signal }),
          }),
        };
      };

      it.each(OUTCOMES.filter(isRejection))(
        'renders %s natively, parsing with the schema for its status',
        async (outcome) => {
          const response = await send(outcome).response;
          const expected = provider.reject(outcome);
          expect(response.status).toBe(expected.status);
          const spec = endpoint.responses[response.status];
          expect(spec, `responses lists ${response.status}`).toBeDefined();
          const body = await response.json();
          expect(spec!.schema.safeParse(body).success).toBe(true);
          expect(provider.errorSchema.safeParse(body).success).toBe(true);
          // Retry-After comes exactly where the provider documents it
          // (On-Prem's 1015 names the wait in details instead).
          if (outcome === 'rate_limited' && spec!.headers?.['Retry-After'])
            expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
          else if (outcome === 'rate_limited') expect(response.headers.get('retry-after')).toBeNull();
        },
      );

      it.each(['accepted', 'slow', 'not_on_whatsapp'] as const)(
        'takes %s with a success reply and captures the message',
        async (outcome) => {
          const { to, response } = send(outcome);
          const r = await response;
          expect(r.status).toBeLessThan(300);
          expect(endpoint.responses[r.status]!.schema.safeParse(await r.json()).success).toBe(true);
          const latest = (await fetch(`${s.url}/__admin/messages/latest?to=${to}`).then((x) => x.json())) as {
            failure?: unknown;
          };
          expect(latest).toMatchObject({ provider: provider.id, to, outcome });
          if (outcome === 'not_on_whatsapp') expect(latest.failure).toBeDefined();
          else expect(latest.failure).toBeUndefined();
        },
      );

      it('answers malformed_reply with a success status and a body that is not JSON', async () => {
        const r = await send('malformed_reply').response;
        expect(r.status).toBeLessThan(300);
        const text = await r.text();
        expect(() => JSON.parse(text)).toThrow();
      });

      it('drops the connection for connection_reset', async () => {
        await expect(send('connection_reset').response).rejects.toThrow();
      });

      it('holds a timeout until the client gives up', async () => {
        const started = Date.now();
        await expect(send('timeout', AbortSignal.timeout(200)).response).rejects.toThrow();
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      });
    },
  );
});
