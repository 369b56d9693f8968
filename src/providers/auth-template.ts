/**
 * The text WhatsApp renders for an authentication template: Meta fixes the body per language, so every
 * provider that sends one shows the same words on the phone.
 * @module
 */

const BODIES: Record<string, (code: string) => string> = {
  en: (code) => `*${code}* is your verification code. For your security, do not share this code.`,
  id: (code) => `*${code}* adalah kode verifikasi Anda. Demi keamanan, jangan bagikan kode ini.`,
  pt: (code) => `*${code}* é seu código de verificação. Para sua segurança, não o compartilhe.`,
  es: (code) => `*${code}* es tu código de verificación. Por tu seguridad, no lo compartas.`,
};

/** The rendered body for `language` (e.g. `en_US` or `id`); unknown languages fall back to English. */
export function authenticationText(code: string, language = 'en'): string {
  const base = language.toLowerCase().split(/[-_]/)[0] ?? 'en';
  return (BODIES[base] ?? BODIES.en!)(code);
}
