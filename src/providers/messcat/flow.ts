/**
 * The message flow a fired bot sends: the article's example Authentication template, filled from `parameters`.
 * @module
 */
import type { RejectReason } from '../define.js';

/** The article's example flow text. */
export const FLOW_TEXT = 'Hello {{name}} !\nHere is your OTP: {{verificationCode}}';

export type FlowRender = { ok: true; code: string; text: string } | { ok: false; reason: RejectReason };

/**
 * Fills the flow from `parameters`; the OTP is required, `name` is not.
 * @example
 * renderFlow({ verificationCode: '123456', name: 'Rina' });
 * // { ok: true, code: '123456', text: 'Hello Rina !\nHere is your OTP: 123456' }
 */
export function renderFlow(parameters: Record<string, unknown> | undefined): FlowRender {
  // assumption: a fire without an OTP is refused with 400 in Ajv's words, not sent with an empty variable
  // (WhatsApp rejects an Authentication template whose code parameter is empty).
  if (!parameters)
    return { ok: false, reason: { problem: 'missing_field', field: 'parameters', message: 'parameters is required' } };
  const value = parameters.verificationCode;
  const field = 'parameters.verificationCode';
  if (value === undefined || value === null)
    return { ok: false, reason: { problem: 'missing_field', field, message: `${field} is required` } };
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
    return { ok: false, reason: { problem: 'invalid_field', field, message: 'must be string' } };
  }
  // assumption: a numeric verificationCode is taken as its digits (parameters are untyped in the SDK).
  const code = String(value);
  if (code.trim() === '')
    return { ok: false, reason: { problem: 'invalid_field', field, message: 'must NOT have fewer than 1 characters' } };
  // assumption: a missing `name` renders as nothing, and the double space it leaves is collapsed ("Hello !").
  const name =
    typeof parameters.name === 'string' || typeof parameters.name === 'number' ? String(parameters.name) : '';
  const text = FLOW_TEXT.replace('{{name}}', name).replace('{{verificationCode}}', code).replace(/ {2,}/g, ' ');
  return { ok: true, code, text };
}
