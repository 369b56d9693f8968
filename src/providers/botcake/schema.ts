/**
 * Botcake Public API shapes for `send_flow`, from the API reference and the Pancake "Send OTP on WhatsApp
 * via Botcake API" guide.
 * @module
 */
import { z } from 'zod';

/** `waba_<digits>` for a WhatsApp channel, the numeric page id for a Facebook page. */
export const PAGE_ID = /^(waba_\d{5,20}|\d{5,20})$/;
/** A WhatsApp customer: `wa_` + E.164 digits without `+` (clients build it, the user need not have written first). */
export const WHATSAPP_PSID = /^wa_([1-9]\d{7,14})$/;
// assumption: a Messenger/Instagram psid is a numeric string (page-scoped ids are digits, often past 2^53).
export const PAGE_SCOPED_PSID = /^[1-9]\d{4,19}$/;

// assumption: unknown top-level fields are ignored (stripped), not refused.
export const sendFlowSchema = z.object({
  // Kept as a string: Messenger psids can exceed JavaScript's safe-integer range.
  psid: z
    .string()
    .min(1)
    .refine(
      (psid) => WHATSAPP_PSID.test(psid) || PAGE_SCOPED_PSID.test(psid),
      'psid must be wa_<E.164 digits> or a numeric page-scoped id',
    ),
  flow_id: z.int().positive(),
  // Keys are whatever variables the flow author mapped, e.g. {{code}}.
  payload: z.record(z.string(), z.unknown()).optional(),
});
export type SendFlow = z.infer<typeof sendFlowSchema>;

export const sentSchema = z.object({ success: z.literal(true) });

export const errorSchema = z.object({
  success: z.literal(false),
  message: z.string(),
});

/** `{token, page?}`: a pinned page token, optionally bound to the one page it was issued for. */
export const credentialSchema = z.strictObject({
  token: z.string().min(1),
  // YAML reads a bare Facebook page id as a number.
  page: z
    .union([z.string(), z.number().int().nonnegative()])
    .transform(String)
    .pipe(z.string().regex(PAGE_ID, 'page must be waba_<digits> or a numeric Facebook page id'))
    .optional(),
});
export type BotcakeCredential = z.infer<typeof credentialSchema>;
