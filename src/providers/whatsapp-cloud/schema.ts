/**
 * WhatsApp Cloud API shapes (Meta's Graph API): the authentication-template send, its success reply, Graph's
 * error envelope and the `whatsapp_business_account` status webhook, from Meta's Cloud API reference.
 * @module
 */
import { z } from 'zod';

/** Any Graph version segment: clients in use send v18.0 to v24.0. */
export const GRAPH_VERSION = /^v\d+\.\d+$/;
/** A phone-number id is a numeric Graph object id. */
export const PHONE_NUMBER_ID = /^\d{1,20}$/;
/** `to`: the number with country code; a leading `+` is allowed. */
export const RECIPIENT = /^\+?([1-9]\d{5,14})$/;
/** Docs: the code of an authentication template is at most 15 characters. */
export const MAX_CODE_LENGTH = 15;

const textParameterSchema = z.object({
  type: z.literal('text', { error: 'must be "text"' }),
  text: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(MAX_CODE_LENGTH, `must be at most ${MAX_CODE_LENGTH} characters`),
});

const componentSchema = z.object({
  type: z.enum(['header', 'body', 'button'], { error: 'must be one of header, body, button' }),
  // Docs: the OTP button (copy code, one-tap, zero-tap) is stored as a URL button, so sends use sub_type url.
  sub_type: z.enum(['url', 'quick_reply'], { error: 'must be one of url, quick_reply' }).optional(),
  index: z
    .union([z.literal(0), z.literal('0')], { error: 'must be 0 (or "0"): an authentication template has one button' })
    .optional(),
  parameters: z.array(textParameterSchema, { error: 'must be an array' }).optional(),
});

export const templateSchema = z
  .object({
    name: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
    // assumption: `policy` and `namespace` are accepted and ignored (Cloud resolves templates by name + language).
    language: z.object({
      code: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
      policy: z.string().optional(),
    }),
    namespace: z.string().optional(),
    components: z.array(componentSchema, { error: 'must be an array' }),
  })
  .superRefine((template, ctx) => {
    const body = template.components.findIndex((c) => c.type === 'body');
    const button = template.components.findIndex((c) => c.type === 'button');
    const code = template.components[body]?.parameters?.[0]?.text;
    if (body < 0 || code === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['components', 'body'],
        message: 'template.components must include a body component whose text parameter is the code',
      });
      return;
    }
    if (button < 0) {
      // Docs: an authentication template's OTP button needs its parameter
      // ("Button at index 0 of type Url requires a parameter").
      ctx.addIssue({
        code: 'custom',
        path: ['components', 'button'],
        message: 'Button at index 0 of type Url requires a parameter',
      });
      return;
    }
    const b = template.components[button]!;
    if (b.sub_type !== 'url') {
      ctx.addIssue({
        code: 'custom',
        path: ['components', button, 'sub_type'],
        message: `template.components[${button}].sub_type must be url for the one-time password button`,
      });
      return;
    }
    if (b.parameters?.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['components', button, 'parameters'],
        message: 'Button at index 0 of type Url requires a parameter',
      });
      return;
    }
    // assumption: a button code that differs from the body code is refused, as On-Prem's docs require the same OTP in
    // both.
    if (b.parameters[0]!.text !== code) {
      ctx.addIssue({
        code: 'custom',
        path: ['components', button, 'parameters', 0, 'text'],
        message: 'the button parameter must be the same one-time password as the body parameter',
      });
    }
  });

export const sendMessageSchema = z.object({
  messaging_product: z.literal('whatsapp', { error: 'must be "whatsapp"' }),
  recipient_type: z.literal('individual', { error: 'must be "individual"' }).optional(),
  to: z.string({ error: 'must be a string' }).regex(RECIPIENT, 'must be a phone number with country code'),
  // assumption: only template messages are simulated; text, media and interactive types are refused with 131009.
  type: z.literal('template', { error: 'must be "template": the simulator sends authentication templates only' }),
  template: templateSchema,
});
export type SendMessage = z.infer<typeof sendMessageSchema>;

export const sentSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string() })).min(1),
  messages: z.array(z.object({ id: z.string().regex(/^wamid\./), message_status: z.string().optional() })).min(1),
});

/** Graph's error envelope; `error_subcode` and `error_data` are optional (token errors carry no error_data). */
export const errorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.int(),
    error_subcode: z.int().optional(),
    error_data: z.object({ messaging_product: z.literal('whatsapp'), details: z.string() }).optional(),
    fbtrace_id: z.string(),
  }),
});
export type GraphError = z.infer<typeof errorSchema>['error'];

/** One webhook error (`statuses[].errors[]`): code, title, message, error_data.details, href. */
export const webhookErrorSchema = z.looseObject({
  code: z.int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string() }).optional(),
  href: z.string().optional(),
});

/** One entry of `statuses[]`; `timestamp` is a string of Unix seconds. */
export const webhookStatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string(),
  recipient_id: z.string(),
  conversation: z.looseObject({ id: z.string(), origin: z.looseObject({ type: z.string() }) }).optional(),
  pricing: z.looseObject({ billable: z.boolean(), pricing_model: z.string(), category: z.string() }).optional(),
  errors: z.array(webhookErrorSchema).optional(),
});

/** `{object:"whatsapp_business_account", entry:[{id, changes:[{field:"messages", value:{…statuses}}]}]}`. */
export const statusWebhookSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.looseObject({
            messaging_product: z.literal('whatsapp'),
            metadata: z.object({ display_phone_number: z.string(), phone_number_id: z.string() }),
            statuses: z.array(webhookStatusSchema).optional(),
          }),
        }),
      ),
    }),
  ),
});

const digits = z
  .union([z.string(), z.int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(PHONE_NUMBER_ID, 'must be a numeric phone-number id'));

/** `{token, phoneNumberId?}`: a pinned access token, optionally bound to one phone-number id. */
export const credentialSchema = z.strictObject({ token: z.string().min(1), phoneNumberId: digits.optional() });
export type CloudCredential = z.infer<typeof credentialSchema>;

/** `options` in the config file: the app secret that signs webhooks, the verify token of the handshake. */
export const optionsSchema = z.object({
  appSecret: z.string().min(1).optional(),
  verifyToken: z.string().min(1).optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
});
