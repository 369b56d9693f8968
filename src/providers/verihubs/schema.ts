/**
 * Verihubs WhatsApp OTP shapes, from the send/verify reference pages (production v1/v2 and sandbox).
 * @module
 */
import { z } from 'zod';

// assumption: a generated OTP has 4 digits unless otp_length says otherwise
// (a public Verihubs client's README verifies "1234").
export const DEFAULT_OTP_LENGTH = 4;
// assumption: an OTP is valid for 300 seconds unless time_limit says otherwise
// (what the public Go client's sample sends).
export const DEFAULT_TIME_LIMIT_SECONDS = 300;
// assumption: otp_length may range from 4 to 10 digits (undocumented).
export const OTP_LENGTH_RANGE = { min: 4, max: 10 } as const;

// Clients built on Go structs without omitempty send "" for every unused optional field.
// assumption: an empty string in an optional field means the field is absent.
const optionalText = z.string().optional();

// assumption: msisdn must be 6 to 15 digits without "+" or a leading 0; "08…" and "+62…" are Validation errors.
const msisdn = z
  .string()
  .regex(/^[1-9]\d{5,14}$/, 'msisdn must be digits with the country prefix, without + or a leading 0');

// assumption: a client-made otp is 1 to 15 letters or digits (Meta's limit for an authentication code).
const otp = z.union([z.literal(''), z.string().regex(/^[A-Za-z0-9]{1,15}$/, 'otp must be 1 to 15 letters or digits')]);

// Clients send both "300" and 300; the docs type both fields as strings.
const whole = z.union([
  z.literal(''),
  z.string().regex(/^\d+$/, 'must be a whole number'),
  z.number().int().nonnegative(),
]);

/** The number a "300" / 300 / "" field holds, undefined when absent or empty. */
export function wholeNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return Number(value);
}

/** Values for the template's `{{1}}`, `{{2}}`… placeholders, in order. */
const content = z.array(z.string());

/** Fields shared by production and sandbox sends; `msisdn` and whether `content` is required differ. */
const sendFields = {
  otp: otp.optional(),
  otp_length: whole.optional(),
  challenge: optionalText,
  time_limit: whole.optional(),
  lang_code: optionalText,
  template_name: optionalText,
  // The sandbox page's own example is "your-callback-url.com/callback", without a scheme.
  // assumption: callback_url is any string; it is stored for callbacks, not checked as a URL.
  callback_url: optionalText,
};

type SendShape = {
  otp?: string | undefined;
  otp_length?: string | number | undefined;
  time_limit?: string | number | undefined;
};

function checkSend(body: SendShape, ctx: z.RefinementCtx) {
  const length = wholeNumber(body.otp_length);
  // Documented: "do not send alongside self generated OTP code payload (payload otp)".
  if (body.otp && length !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['otp_length'], message: 'otp_length must not be sent together with otp' });
  }
  if (length !== undefined && (length < OTP_LENGTH_RANGE.min || length > OTP_LENGTH_RANGE.max)) {
    ctx.addIssue({
      code: 'custom',
      path: ['otp_length'],
      message: `otp_length must be ${OTP_LENGTH_RANGE.min} to ${OTP_LENGTH_RANGE.max}`,
    });
  }
  // assumption: time_limit must be at least 1 second (undocumented).
  if (wholeNumber(body.time_limit) === 0) {
    ctx.addIssue({ code: 'custom', path: ['time_limit'], message: 'time_limit must be at least 1 second' });
  }
}

/**
 * `POST /v1|v2/whatsapp/otp/send`. The production pages list msisdn, otp, challenge, time_limit, lang_code and
 * template_name, and no `content` (only the sandbox page has it), so it is optional here: the approved template
 * holds the text. Public clients omit it (the Go client grosenia/verihubs-client commented it out in 2024).
 */
export const sendOtpSchema = z.object({ msisdn, content: content.optional(), ...sendFields }).superRefine(checkSend);
export type SendOtp = z.infer<typeof sendOtpSchema>;

/**
 * `POST /v1/whatsapp/otp/send/sandbox`: "Any other msisdn format will be marked as Invalid", so any string passes here.
 */
// The sandbox page marks `content` required.
export const sandboxSendSchema = z.object({ msisdn: z.string(), content, ...sendFields }).superRefine(checkSend);
export type SandboxSend = z.infer<typeof sandboxSendSchema>;

/** `POST /v1|v2/whatsapp/otp/verify`. */
export const verifyOtpSchema = z.object({
  msisdn,
  otp: z.string().min(1, 'otp is required'),
  challenge: optionalText,
});
export type VerifyOtp = z.infer<typeof verifyOtpSchema>;

/** `POST /v1/whatsapp/otp/verify/sandbox`. */
export const sandboxVerifySchema = z.object({
  msisdn: z.string(),
  otp: z.string().min(1, 'otp is required'),
  challenge: optionalText,
});
export type SandboxVerify = z.infer<typeof sandboxVerifySchema>;

/** 201 of a send: the OTP is echoed even when Verihubs generated it; `session_id` keys the callbacks. */
export const sentSchema = z.object({
  message: z.literal('OTP sent successfully'),
  otp: z.string(),
  session_id: z.uuid(),
  msisdn: z.string(),
  try_count: z.number().int().positive(),
});

/** 200 of a verify. */
export const verifiedSchema = z.object({ message: z.literal('OTP has been verified') });

/** Every Verihubs error: clients only read `message`. */
export const errorSchema = z.object({ message: z.string() });

/** `{"appId": "…", "apiKey": "…"}`: a pinned App-ID / API-Key pair in the config file. */
export const credentialSchema = z.strictObject({ appId: z.string().min(1), apiKey: z.string().min(1) });
export type VerihubsCredential = z.infer<typeof credentialSchema>;

/**
 * `providers.verihubs.options` in the config file. `failures` maps an msisdn to the callback status its
 * production sends end with: 6 Failed, 7 Request Error, 8 Rejected (v2 spam check), 9 Blocked (v2 blocking
 * check) or 10 Tier Limit Exceeded.
 */
export const optionsSchema = z.strictObject({
  failures: z.record(z.string().regex(/^[1-9]\d{5,14}$/, 'keys are msisdns'), z.literal([6, 7, 8, 9, 10])).optional(),
});
