import { describe, expect, it } from 'vitest';
import { createJournal, type JournalRecord, maskSecrets } from '../../src/simulator/journal.js';

function record(overrides: Partial<JournalRecord> = {}): JournalRecord {
  return {
    id: 'req_000001',
    at: Date.UTC(2026, 0, 2, 3, 4, 5),
    session: null,
    method: 'POST',
    path: '/v1/whatsapp/otp/send',
    provider: 'verihubs',
    operationId: 'sendOtp',
    status: 201,
    outcome: 'accepted',
    reason: { by: 'default', detail: '' },
    durationMs: 0.5,
    request: { headers: { 'content-type': 'application/json' } },
    reply: { status: 201, headers: {}, body: { ok: true } },
    ...overrides,
  };
}

describe('journal', () => {
  it('numbers requests in order', () => {
    const journal = createJournal();
    expect([journal.nextId(), journal.nextId()]).toEqual(['req_000001', 'req_000002']);
  });

  it('shows a record with its time, parsed JSON body, empty query and masked secrets', () => {
    const journal = createJournal({ secretHeaders: new Set(['api-key']) });
    journal.add(
      record({
        request: { headers: { 'api-key': 'sk_live_abcdef', 'x-other': 'plain' }, bodyText: '{"msisdn":"62812"}' },
      }),
    );
    const entry = journal.get('req_000001')!;
    expect(entry.time).toBe('2026-01-02T03:04:05.000Z');
    expect(entry.request).toEqual({
      headers: { 'api-key': 'sk_l…', 'x-other': 'plain' },
      query: {},
      body: { msisdn: '62812' },
    });
    expect(entry).not.toHaveProperty('at');
  });

  it('keeps a body that is not JSON as its text', () => {
    const journal = createJournal();
    journal.add(record({ request: { headers: {}, bodyText: 'not json', query: { a: '1' } } }));
    expect(journal.get('req_000001')!.request).toMatchObject({ body: 'not json', query: { a: '1' } });
  });

  it('filters by provider, outcome, recipient and session, newest first, up to a limit', () => {
    const journal = createJournal();
    journal.add(record({ id: 'r1', provider: 'verihubs', to: '6281', session: 's1' }));
    journal.add(record({ id: 'r2', provider: 'splashify', outcome: 'rate_limited', to: '6282' }));
    journal.add(record({ id: 'r3', provider: 'verihubs', to: '6282', session: 's1' }));
    const ids = (filter: Parameters<typeof journal.list>[0], limit?: number) =>
      journal.list(filter, limit).map((e) => e.id);
    expect(ids({})).toEqual(['r3', 'r2', 'r1']);
    expect(ids({ provider: 'verihubs' })).toEqual(['r3', 'r1']);
    expect(ids({ outcome: 'rate_limited' })).toEqual(['r2']);
    expect(ids({ to: '6282' })).toEqual(['r3', 'r2']);
    expect(ids({ session: 's1' })).toEqual(['r3', 'r1']);
    expect(ids({ session: null })).toEqual(['r2']);
    expect(ids({}, 1)).toEqual(['r3']);
  });

  it('stays within its capacity and keeps counting the total', () => {
    const journal = createJournal({ capacity: 2 });
    for (const id of ['a', 'b', 'c']) journal.add(record({ id }));
    expect(journal.size).toBe(2);
    expect(journal.total).toBe(3);
    expect(journal.get('a')).toBeUndefined();
  });

  it('clears one session, or everything', () => {
    const journal = createJournal();
    journal.add(record({ id: 'a', session: 's1' }));
    journal.add(record({ id: 'b', session: 's2' }));
    journal.add(record({ id: 'c', session: null }));
    journal.clear('s1');
    expect(journal.list().map((e) => e.id)).toEqual(['c', 'b']);
    journal.clear();
    expect(journal.size).toBe(0);
  });
});

describe('maskSecrets', () => {
  it('keeps the scheme and four characters of credentials, whatever the header case', () => {
    expect(
      maskSecrets(
        { Authorization: 'Bearer eyJhbGciOi', cookie: 'sid=123456', accept: '*/*' },
        new Set(['authorization']),
      ),
    ).toEqual({
      Authorization: 'Bearer eyJh…',
      cookie: 'sid=…',
      accept: '*/*',
    });
  });
});
