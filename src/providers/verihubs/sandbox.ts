/**
 * The sandbox scenario tables Verihubs documents: on `/v1/whatsapp/otp/send/sandbox` and
 * `/v1/whatsapp/otp/verify/sandbox` the msisdn alone decides the answer. Any other msisdn is an
 * "Invalid Scenario". Sources: https://docs.verihubs.com/reference/send_whatsapp_otp_post and
 * https://docs.verihubs.com/reference/verify_whatsapp_otp_post
 * @module
 */
import type { Rejection } from '../outcomes.js';
import { MESSAGES } from './simulate.js';

export interface SandboxSendRow {
  msisdn: string;
  description: string;
  status: 201 | 400 | 401 | 403 | 409 | 429;
  message: string;
  outcome: 'accepted' | Rejection;
}

export interface SandboxVerifyRow {
  msisdn: string;
  description: string;
  status: 200 | 404 | 422;
  message: string;
}

/** Send scenarios, in the documented order. */
export const SANDBOX_SEND: readonly SandboxSendRow[] = [
  { msisdn: '6282123060001', description: 'Success Payload', status: 201, message: MESSAGES.sent, outcome: 'accepted' },
  {
    msisdn: '6282123060002',
    description: 'Bad Request',
    status: 400,
    message: MESSAGES.validation,
    outcome: 'invalid_request',
  },
  {
    msisdn: '6282123060003',
    description: 'Invalid Header',
    status: 401,
    message: MESSAGES.unauthorized,
    outcome: 'unauthorized',
  },
  {
    msisdn: '6282123060004',
    description: 'insufficient quota',
    status: 403,
    message: MESSAGES.quota,
    outcome: 'insufficient_quota',
  },
  {
    msisdn: '6282123060005',
    description: 'Blocked Msisdn',
    status: 409,
    message: MESSAGES.blocked,
    outcome: 'blocked_recipient',
  },
  {
    msisdn: '6282123060006',
    description: 'Too Many Request',
    status: 429,
    message: MESSAGES.rateLimited,
    outcome: 'rate_limited',
  },
];

/** Verify scenarios, in the documented order. */
export const SANDBOX_VERIFY: readonly SandboxVerifyRow[] = [
  { msisdn: '6282123060007', description: 'Verified', status: 200, message: MESSAGES.verified },
  { msisdn: '6282123060008', description: 'OTP not found', status: 404, message: MESSAGES.notFound },
  { msisdn: '6282123060009', description: 'Time limit exceeded', status: 422, message: MESSAGES.expired },
];

export function sandboxSendRow(msisdn: string): SandboxSendRow | undefined {
  return SANDBOX_SEND.find((row) => row.msisdn === msisdn);
}

export function sandboxVerifyRow(msisdn: string): SandboxVerifyRow | undefined {
  return SANDBOX_VERIFY.find((row) => row.msisdn === msisdn);
}
