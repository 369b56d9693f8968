/**
 * The shared vocabulary: what can happen to a send, for every provider alike.
 *
 * The simulator turns an outcome into a provider's native reply, an adapter turns a native reply back
 * into an outcome, and the sending core decides retry and failover from outcomes only.
 * @module
 */

/** Every outcome a simulated send can be given, in catalogue order. */
export const OUTCOMES = [
  'accepted',
  'not_on_whatsapp',
  // Not in the provider's contact store yet: On-Prem refuses the send (404 1006) until the number is checked with
  // POST /v1/contacts; providers that resolve numbers themselves take the message.
  'unknown_contact',
  'invalid_request',
  'unauthorized',
  'insufficient_quota',
  'blocked_recipient',
  'rate_limited',
  'provider_error',
  'timeout',
  'slow',
  'connection_reset',
  'malformed_reply',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes a provider answers with its own native error body. */
export const REJECTIONS = [
  'invalid_request',
  'unauthorized',
  'insufficient_quota',
  'blocked_recipient',
  'rate_limited',
  'provider_error',
] as const satisfies readonly Outcome[];
export type Rejection = (typeof REJECTIONS)[number];

/** Outcomes the provider takes the message for: the send reply is a success. */
export const ACCEPTANCES = ['accepted', 'not_on_whatsapp', 'slow'] as const satisfies readonly Outcome[];

/** Outcomes played out on the wire rather than in a body: the same for every provider. */
export const TRANSPORT_FAULTS = [
  'timeout',
  'connection_reset',
  'malformed_reply',
] as const satisfies readonly Outcome[];
export type TransportFault = (typeof TRANSPORT_FAULTS)[number];

/** What a message goes through after the provider accepted it. */
export const DELIVERY_STATES = ['sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

export function isRejection(outcome: Outcome): outcome is Rejection {
  return (REJECTIONS as readonly string[]).includes(outcome);
}

export function isTransportFault(outcome: Outcome): outcome is TransportFault {
  return (TRANSPORT_FAULTS as readonly string[]).includes(outcome);
}
