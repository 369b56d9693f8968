/**
 * Splashify Pro Public API shapes, from the "Send Authentication Template" page and the Public API docs.
 * @module
 */
import { z } from 'zod';

// assumption: without countryCode a national phoneNumber is Indian (+91): the seed omits it, the company is Indian.
export const DEFAULT_COUNTRY_CODE = '+91';

const otpValue = z.string().min(1).max(15, 'OTP must be at most 15 characters');

export const templateSchema = z.object({
  name: z.string().min(1),
  languageCode: z.string().min(1),
  headerValues: z.array(z.string()).optional(),
  bodyValues: z.array(otpValue).length(1, 'bodyValues must hold exactly one value, the OTP'),
  buttonValues: z.object({
    '0': z.array(otpValue).length(1, 'buttonValues["0"] must hold exactly one value, the OTP'),
  }),
  fileName: z.string().optional(),
  template_category: z.string().optional(),
});

export const sendMessageSchema = z
  .object({
    fullPhoneNumber: z
      .string()
      .regex(/^\d{8,15}$/, 'fullPhoneNumber must be digits with the country code, without +')
      .optional(),
    countryCode: z
      .string()
      .regex(/^\+\d{1,4}$/, 'countryCode must look like +91')
      .optional(),
    phoneNumber: z
      .string()
      .regex(/^[1-9]\d{3,13}$/, 'phoneNumber must be the national number without a leading 0')
      .optional(),
    callbackData: z.string().max(512, 'callbackData must be at most 512 characters').optional(),
    type: z.enum(['Template', 'Text']),
    template: templateSchema.optional(),
    data: z.object({ message: z.string() }).optional(),
    template_category: z.string().optional(),
  })
  .superRefine((body, ctx) => {
    if (!body.fullPhoneNumber && !body.phoneNumber) {
      ctx.addIssue({ code: 'custom', path: ['phoneNumber'], message: 'phoneNumber or fullPhoneNumber is required' });
    }
    if (body.type === 'Template' && !body.template) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'template is required for type Template' });
    }
  });
export type SendMessage = z.infer<typeof sendMessageSchema>;

export const createdSchema = z.object({
  result: z.literal(true),
  message: z.string(),
  id: z.uuid(),
});

export const errorSchema = z.object({
  result: z.literal(false),
  message: z.string(),
});

/** `{"key": "sk_live_…"}`: a pinned API key in the config file. */
export const credentialSchema = z.strictObject({ key: z.string().min(1) });
export type SplashifyCredential = z.infer<typeof credentialSchema>;
