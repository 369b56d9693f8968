/**
 * The demo account a simulator with no config stands for (shown at start and in `GET /__admin/providers`), and
 * the values the adapter's `simulator()` config uses. Any Bearer token and numeric phone-number id work too.
 * @module
 */
export const DEMO = {
  token: 'EAAwaotpDemoToken0000000000000000',
  phoneNumberId: '109283746501928',
  /** Signs every webhook (`X-Hub-Signature-256`). */
  appSecret: 'waotp-demo-app-secret',
  /** Sent as `hub.verify_token` in the webhook verification handshake. */
  verifyToken: 'waotp-demo-verify-token',
  /** `entry[].id` of webhooks: the WhatsApp Business Account, not the phone number. */
  wabaId: '104857300912345',
  displayPhoneNumber: '15550001111',
  templateName: 'login_otp',
  version: 'v21.0',
} as const;
