/**
 * WhatsApp Business On-Premises API shapes: login, the authentication template with a one-time password
 * button, contacts, application settings and the `errors[]` body, from Meta's On-Premises reference.
 * @module
 */
import { z } from 'zod';

// assumption: one fixed Webapp version in every `meta`; live fixtures show v2.19.4 up to v2.45.1.
export const META = { api_status: 'stable', version: 'v2.45.1' } as const;

export const metaSchema = z.object({ api_status: z.string(), version: z.string() });

/** WhatsApp ids are E.164 digits. */
// assumption: a leading `+` on `to` is tolerated (wa_ids have none, but clients often pass E.164).
export const WA_ID = /^\+?([1-9]\d{5,14})$/;

// The legacy-template rules (docs: "Legacy authentication templates"): no links, no emoji, 15 characters.
// assumption: a link is a URL scheme, `www.`, or a word.word domain such as example.com.
const LINK = /(https?:\/\/|www\.|\b[a-z0-9-]+\.[a-z]{2,}\b)/i;
const EMOJI = /\p{Extended_Pictographic}/u;
export const LEGACY_MAX_LENGTH = 15;

const textParameterSchema = z.object({
  type: z.literal('text', { error: 'must be "text"' }),
  text: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
});

// assumption: header components are accepted and ignored (an authentication template has no header).
const componentSchema = z.object({
  type: z.enum(['header', 'body', 'button'], { error: 'must be one of header, body, button' }),
  // The docs' own example: "components[1].sub_type must be one of url, quick_reply".
  sub_type: z.enum(['url', 'quick_reply'], { error: 'must be one of url, quick_reply' }).optional(),
  index: z
    .union([z.literal(0), z.literal('0')], { error: 'must be 0: an authentication template has one button' })
    .optional(),
  parameters: z.array(textParameterSchema, { error: 'must be an array' }).optional(),
});
type Component = z.infer<typeof componentSchema>;

export const templateSchema = z
  .object({
    // On-Prem needs the namespace; the Cloud API has none.
    namespace: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
    name: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
    language: z.object({
      code: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
      policy: z.literal('deterministic', { error: 'must be "deterministic"' }),
    }),
    components: z.array(componentSchema, { error: 'must be an array' }),
  })
  .superRefine((template, ctx) => {
    const at = (i: number, ...rest: (string | number)[]) => ['components', i, ...rest];
    const bodies = indexesOf(template.components, 'body');
    const buttons = indexesOf(template.components, 'button');
    if (bodies.length === 0) {
      // A path absent from the input makes the pipeline report missing_field, which is 1008.
      ctx.addIssue({
        code: 'custom',
        path: ['components', 'body'],
        message: 'template.components must include a body component with the one-time password',
      });
      return;
    }
    if (bodies.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: at(bodies[1]!, 'type'),
        message: `template.components[${bodies[1]}]: an authentication template has one body component`,
      });
      return;
    }
    const b = bodies[0]!;
    const bodyParameters = template.components[b]!.parameters;
    if (!bodyParameters || bodyParameters.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: at(b, 'parameters'),
        message: `template.components[${b}].parameters must hold the one-time password as a text parameter`,
      });
      return;
    }
    const code = bodyParameters[0]!.text;
    if (buttons.length === 0) {
      legacyRules(code, `template.components[${b}].parameters[0].text`).forEach((message) =>
        ctx.addIssue({ code: 'custom', path: at(b, 'parameters', 0, 'text'), message }),
      );
      return;
    }
    // assumption: an authentication template has exactly one button, the one-time password button.
    if (buttons.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: at(buttons[1]!, 'type'),
        message: `template.components[${buttons[1]}]: an authentication template has one button`,
      });
      return;
    }
    const i = buttons[0]!;
    const button = template.components[i]!;
    const missing = (['sub_type', 'index', 'parameters'] as const).find((key) => button[key] === undefined);
    if (missing) {
      ctx.addIssue({
        code: 'custom',
        path: at(i, missing),
        message: `template.components[${i}].${missing} is required for the one-time password button`,
      });
      return;
    }
    if (button.sub_type !== 'url') {
      // assumption: the copy-code / one-tap button is sent as sub_type url, as the docs show; quick_reply is refused.
      ctx.addIssue({
        code: 'custom',
        path: at(i, 'sub_type'),
        message: `template.components[${i}].sub_type must be url for a one-time password button`,
      });
      return;
    }
    if (button.parameters!.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: at(i, 'parameters'),
        message: `template.components[${i}].parameters must hold exactly one text parameter, the one-time password`,
      });
      return;
    }
    // assumption: a button code that differs from the body code is refused; the docs require the same OTP in both.
    if (button.parameters![0]!.text !== code) {
      const field = `template.components[${i}].parameters[0].text`;
      ctx.addIssue({
        code: 'custom',
        path: at(i, 'parameters', 0, 'text'),
        message: `${field} must be the same one-time password as the body parameter`,
      });
    }
  });

// assumption: recipient_type "individual" is the only value; any other is 1002 Invalid recipient type.
export const sendMessageSchema = z.object({
  to: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  recipient_type: z.literal('individual', { error: 'must be "individual"' }).optional(),
  // assumption: only template messages are simulated: text, media and interactive types are refused with 1009.
  type: z.literal('template', { error: 'must be "template": the simulator sends authentication templates only' }),
  template: templateSchema,
});
export type SendMessage = z.infer<typeof sendMessageSchema>;

export const messageCreatedSchema = z.object({
  messages: z.array(z.object({ id: z.string() })).length(1),
  meta: metaSchema,
});

/** On-Prem's password rules for `new_password`, in the words of its 400 reply. */
export const STRONG_PASSWORD_RULES =
  'new_password must be 8-64 characters with at least one digit, one upper-case letter, ' +
  'one lower-case letter and one special character';

/** On-Prem's password rules for `new_password`. */
export function isStrongPassword(password: string): boolean {
  return (
    password.length >= 8 &&
    password.length <= 64 &&
    /\d/.test(password) &&
    /[A-Z]/.test(password) &&
    /[a-z]/.test(password) &&
    /[^A-Za-z0-9]/.test(password)
  );
}

export const loginSchema = z.object({
  new_password: z.string({ error: 'must be a string' }).refine(isStrongPassword, STRONG_PASSWORD_RULES).optional(),
});
export type Login = z.infer<typeof loginSchema>;

/** `2026-01-22 09:14:03+00:00`, as clients read `users[0].expires_after`. */
export const EXPIRES_AFTER = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/;

export const loginReplySchema = z.object({
  users: z.array(z.object({ token: z.string(), expires_after: z.string().regex(EXPIRES_AFTER) })).length(1),
  meta: metaSchema,
});

/** The body of every reply that carries nothing but `meta` (logout, settings update). */
export const metaOnlySchema = z.object({ meta: metaSchema });

// Docs: `blocking` defaults to no_wait; `force_check` skips the 7-day contact cache.
export const contactsSchema = z.object({
  blocking: z.enum(['wait', 'no_wait'], { error: 'must be one of wait, no_wait' }).optional(),
  contacts: z
    .array(z.string({ error: 'must be a string' }), { error: 'must be an array' })
    .min(1, 'must hold at least one phone number'),
  force_check: z.boolean({ error: 'must be a boolean' }).optional(),
});
export type Contacts = z.infer<typeof contactsSchema>;

export const contactsReplySchema = z.object({
  // `processing`: a no_wait check still running (no wa_id yet).
  contacts: z.array(
    z.object({ input: z.string(), status: z.enum(['valid', 'invalid', 'processing']), wa_id: z.string().optional() }),
  ),
  meta: metaSchema,
});

// assumption: an empty url removes the webhook.
const webhookUrl = z.union([
  z.literal(''),
  z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, or "" to remove it' }),
]);
const flag = z.boolean({ error: 'must be a boolean' });

// assumption: settings the simulator does not act on (media, pass_through...) are stored and returned as sent.
export const applicationSettingsSchema = z.looseObject({
  webhooks: z
    .looseObject({
      url: webhookUrl.optional(),
      // From v2.41.2; the older switch for `sent` statuses is `sent_status`.
      message: z.looseObject({ sent: flag.optional(), delivered: flag.optional(), read: flag.optional() }).optional(),
    })
    .optional(),
  sent_status: flag.optional(),
  callback_persist: flag.optional(),
});
export type ApplicationSettings = z.infer<typeof applicationSettingsSchema>;

export const applicationSettingsReplySchema = z.object({
  settings: z.object({ application: applicationSettingsSchema }),
  meta: metaSchema,
});

export const errorSchema = z.object({
  errors: z
    .array(z.object({ code: z.int(), title: z.string(), details: z.string().optional(), href: z.string().optional() }))
    .min(1),
  meta: metaSchema,
});

/** `{username, password}`: a Webapp user pinned in the config file. */
export const credentialSchema = z.strictObject({ username: z.string().min(1), password: z.string().min(1) });
export type OnPremCredential = z.infer<typeof credentialSchema>;

/** `options` in the config file. */
export const optionsSchema = z.object({
  // Docs: a token lives 7 days; shorter lifetimes let tests see expiry.
  tokenTtlSeconds: z.int().positive().optional(),
  // assumption: a webhook URL may be preset in the config, as if PATCH /v1/settings/application had been called.
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  // Only tokens the simulator issued and that have not expired or been logged out are accepted (401 1005 otherwise).
  strictAuth: z.boolean().optional(),
  // The business number has hit WhatsApp's spam rate limit: every send is refused at once with 471.
  spamRateLimited: z.boolean().optional(),
});
export type OnPremOptions = z.infer<typeof optionsSchema>;

function indexesOf(components: Component[], type: Component['type']): number[] {
  const found: number[] = [];
  components.forEach((c, i) => c.type === type && found.push(i));
  return found;
}

function legacyRules(code: string, field: string): string[] {
  if (code.length > LEGACY_MAX_LENGTH)
    return [
      `${field} must be at most ${LEGACY_MAX_LENGTH} characters ` +
        'in a legacy authentication template (no one-time password button)',
    ];
  if (LINK.test(code)) return [`${field} must not contain a link in a legacy authentication template`];
  if (EMOJI.test(code)) return [`${field} must not contain emoji in a legacy authentication template`];
  return [];
}
