/**
 * ChatDaddy's generated TypeScript SDK (github.com/chatdaddy/typescript-client) is installed from GitHub by its
 * README; the only build of it on npm is `@titanabrian/chatdaddy-client`, which this test drives unmodified: only
 * each API class's `basePath` points at the simulator. Its axios errors are its error handling.
 */
import { BotsApi, Configuration, EventSubscriptionApi, type MessageUpdate } from '@titanabrian/chatdaddy-client';
import { isAxiosError } from 'axios';
import { describe, expect, it } from 'vitest';
import { messcatAdapter } from '../../src/providers/messcat/adapter.js';
import { call, useSimulator } from '../helpers/http.js';
import { useReceiver } from '../helpers/receiver.js';

const TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';
const BOT = 'bot_8d3b30d69965baf7';
const ACCOUNT = 'acc_36dce712-a9eb-4275-96_ca8s';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Boom body an axios error carries, or the error itself when it is not an HTTP error. */
async function boomOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAxiosError(error) || !error.response) throw error ?? new Error('the SDK call did not fail');
  return { status: error.response.status, data: error.response.data };
}

describe('ChatDaddy SDK (@titanabrian/chatdaddy-client) against the Messcat simulator', () => {
  const s = useSimulator({ callbacks: { speed: 10 } });
  const receiver = useReceiver(s);
  const config = (base: string, accessToken = TOKEN) => new Configuration({ basePath: `${s.url}${base}`, accessToken });
  const latest = async (to: string) => (await call(`${s.url}/__admin/messages/latest?to=${to}`)).body;

  it('botsFire at the current layout (…/bots + /bots/{id}/fire): a pending record, the code in the inbox', async () => {
    const bots = new BotsApi(config('/bots'));
    const { status, data } = await bots.botsFire({
      id: BOT,
      botsFireRequest: { accountId: ACCOUNT, toContact: '6281234567890', parameters: { verificationCode: '482913' } },
    });
    expect(status).toBe(200);
    expect(data).toMatchObject({
      botId: BOT,
      status: 'pending',
      contactId: '6281234567890',
      accountId: ACCOUNT,
      inputParameters: { verificationCode: '482913' },
    });
    expect(await latest('6281234567890')).toMatchObject({
      provider: 'messcat',
      code: '482913',
      providerMessageId: data.messages![0]!.body!.id,
    });
  });

  it('botsFire at the seed layout (the api-bots host, path /bots/{id}/fire)', async () => {
    const { data } = await new BotsApi(config('')).botsFire({
      id: BOT,
      botsFireRequest: { toContact: '918074906794', parameters: { verificationCode: '123456' } },
    });
    expect(data.status).toBe('pending');
    expect((await latest('918074906794')).code).toBe('123456');
  });

  it(
    'botsFire without parameters, which BotsFireRequest allows: accepted, ' +
      'and the message fails for want of a code',
    async () => {
      const { status, data } = await new BotsApi(config('/bots')).botsFire({
        id: BOT,
        botsFireRequest: { toContact: '6281234567890' },
      });
      expect(status).toBe(200);
      expect(data).toMatchObject({ status: 'pending', inputParameters: {} });
      await sleep(150);
      expect(await latest('6281234567890')).toMatchObject({ status: 'failed', code: '' });
    },
  );

  it('botsBulkFire: one record per recipient, recipient parameters over the shared ones', async () => {
    const { data } = await new BotsApi(config('/bots')).botsBulkFire({
      id: BOT,
      botsBulkFireRequest: {
        accountId: ACCOUNT,
        parameters: { name: 'Rina' },
        recipients: [
          { id: '6281234567891', parameters: { verificationCode: '111111' } },
          { id: '6281234567892', parameters: { verificationCode: '222222' } },
        ],
      },
    });
    expect(data.records.map((r) => [r.contactId, r.inputParameters])).toEqual([
      ['6281234567891', { name: 'Rina', verificationCode: '111111' }],
      ['6281234567892', { name: 'Rina', verificationCode: '222222' }],
    ]);
    expect((await latest('6281234567892')).text).toBe('Hello Rina !\nHere is your OTP: 222222');
  });

  it('a bad token rejects through axios with the Boom 401', async () => {
    const failure = await boomOf(
      new BotsApi(config('/bots', 'not-a-token')).botsFire({
        id: BOT,
        botsFireRequest: { toContact: '6281234567890', parameters: { verificationCode: '1' } },
      }),
    );
    expect(failure).toMatchObject({ status: 401, data: { statusCode: 401, error: 'Unauthorized' } });
  });

  it(
    "an operation the simulator does not serve (botsGets) gets hapi's 404 in Boom's shape, " + 'not problem+json',
    async () => {
      const failure = await boomOf(new BotsApi(config('/bots')).botsGets({}));
      expect(failure).toEqual({ status: 404, data: { statusCode: 404, error: 'Not Found', message: 'Not Found' } });
    },
  );

  it(
    'subscribes its own webhook (subscriptionsPost), ' +
      'receives message-update items shaped as MessageUpdateData, lists and deletes it',
    async () => {
      const events = new EventSubscriptionApi(config('/events'));
      const { data: subscription } = await events.subscriptionsPost({
        postEventSubscription: { enabled: true, events: ['message-update'], url: `${receiver.url}/hooks/messcat` },
      });
      expect(subscription).toMatchObject({
        enabled: true,
        events: ['message-update'],
        type: 'webhook',
        url: `${receiver.url}/hooks/messcat`,
      });

      const { data: record } = await new BotsApi(config('/bots')).botsFire({
        id: BOT,
        botsFireRequest: { accountId: ACCOUNT, toContact: '6281234567890', parameters: { verificationCode: '482913' } },
      });
      const got = await receiver.waitFor(3);
      const messageId = record.messages![0]!.body!.id;
      for (const request of got) {
        const update = request.body as MessageUpdate;
        expect(update.event).toBe('message-update');
        // MessageUpdateData requires chatId, accountId and id.
        expect(update.data[0]).toMatchObject({
          id: messageId,
          accountId: ACCOUNT,
          chatId: '6281234567890@s.whatsapp.net',
        });
      }
      expect(got.map((r) => (r.body as MessageUpdate).data[0]!.status).sort()).toEqual(['delivered', 'read', 'sent']);
      // The sending core reads the same webhooks back as delivery events of the message id.
      expect(
        messcatAdapter.parseCallback!({ method: 'POST', query: {}, body: got[0]!.body, headers: {} }),
      ).toMatchObject([{ providerMessageId: messageId }]);

      const { data: listed } = await events.subscriptionsGet({});
      expect(listed.subscriptions.map((sub) => sub.id)).toEqual([subscription.id]);
      const { data: deleted } = await events.subscriptionsDelete({ id: subscription.id });
      expect(deleted).toEqual({ success: true });
      expect((await events.subscriptionsGet({})).data.subscriptions).toEqual([]);
      expect(await boomOf(events.subscriptionsDelete({ id: subscription.id }))).toMatchObject({
        status: 404,
        data: { message: 'subscription not found' },
      });

      receiver.clear();
      await new BotsApi(config('/bots')).botsFire({
        id: BOT,
        botsFireRequest: { toContact: '6281234567890', parameters: { verificationCode: '1' } },
      });
      await sleep(200);
      expect(receiver.received).toEqual([]);
    },
  );
});
