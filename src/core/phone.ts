/**
 * Phone numbers in, E.164 digits out: the one format every adapter starts from.
 * @module
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { InvalidPhoneError } from './errors.js';

/**
 * Parses an international number (`+62 812-1911-0199`, `6281219110199`) into E.164 digits without `+`.
 * @example
 * normalizePhone('+62 812-1911-0199'); // '6281219110199'
 */
export function normalizePhone(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '')
    throw new InvalidPhoneError(String(input ?? ''), 'a phone number is required');
  const text = input.trim();
  const withPlus = text.startsWith('+') ? text : `+${text}`;
  const parsed = parsePhoneNumberFromString(withPlus);
  if (!parsed)
    throw new InvalidPhoneError(text, 'it is not a phone number in international format (+<country code><number>)');
  if (!parsed.isValid())
    throw new InvalidPhoneError(text, `it is not a valid ${parsed.country ?? `+${parsed.countryCallingCode}`} number`);
  return parsed.number.slice(1);
}
