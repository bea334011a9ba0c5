/**
 * Crisis lines and phone numbers, pure: the operator's crisis-lines document (GET /api/v1/crisis-lines, PROTOCOL.md
 * §17 "Crisis lines") read defensively, and the phone numbers in a line of text that a screen turns into `tel:` and
 * `sms:` links. Never a number of its own: with nothing configured there is nothing to show.
 */

// As sync/core/wire.py PhoneNumber: an optional +, digits, spaces, brackets and dashes, a digit at each end.
const PHONE = /^\+?[0-9][0-9 ()-]{0,28}[0-9]$/;
const WEB = /^https?:\/\/\S+$/;
const ONE_LINE = /^[^\u0000-\u001f\u007f]+$/;

/** @typedef {{name: string, phone: string|null, sms: string|null, url: string|null, hours: string|null,
 *   about: string|null}} CrisisLine */
/** @typedef {{region: string|null, emergency: string|null, lines: CrisisLine[]}} CrisisLines */

/** Nothing configured, or nothing readable: no region, no emergency number, no lines. @type {CrisisLines} */
export const NO_LINES = Object.freeze({ region: null, emergency: null, lines: [] });

const oneLine = (v, max = 200) => (typeof v === 'string' && v.length <= max && ONE_LINE.test(v) ? v : null);
const phone = (v) => (typeof v === 'string' && v.length <= 30 && PHONE.test(v) ? v : null);

/**
 * The document as the app shows it: what does not fit the protocol's shape is left out (a line without a name, a
 * number that is not one), never guessed or repaired. Anything that is not the document gives NO_LINES.
 * @param {unknown} doc @returns {CrisisLines}
 */
export function readCrisisLines(doc) {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return NO_LINES;
  const d = /** @type {Record<string, unknown>} */ (doc);
  const lines = [];
  for (const item of Array.isArray(d.lines) ? d.lines.slice(0, 50) : []) {
    if (!item || typeof item !== 'object') continue;
    const l = /** @type {Record<string, unknown>} */ (item);
    const name = oneLine(l.name);
    if (!name) continue;
    const url = typeof l.url === 'string' && l.url.length <= 500 && WEB.test(l.url) ? l.url : null;
    const about = typeof l.about === 'string' && l.about.length <= 500 ? l.about : null;
    const line = { name, phone: phone(l.phone), sms: phone(l.sms), url, hours: oneLine(l.hours), about };
    if (line.phone || line.sms || line.url) lines.push(line);
  }
  return { region: oneLine(d.region), emergency: phone(d.emergency), lines };
}

/** What a phone's dialler takes: the digits, with a leading + kept. @param {string} number */
export const dialable = (number) => {
  const digits = number.replace(/[^0-9]/g, '');
  return number.trim().startsWith('+') ? `+${digits}` : digits;
};

/** `tel:` link of a number. @param {string} number */
export const telHref = (number) => `tel:${dialable(number)}`;
/** `sms:` link of a number. @param {string} number */
export const smsHref = (number) => `sms:${dialable(number)}`;

// A run that looks like a phone number in free text: starts with + or a digit, then digits and the usual
// separators, ending in a digit. It counts only with at least 3 digits ("988", "0800 111 222", "+44 20 7946 0000").
const IN_TEXT = /\+?[0-9][0-9 ().-]{0,28}[0-9]/g;

/**
 * A line of text cut into its plain parts and the phone numbers in it, in order, so a view can make each number a
 * link: "Alex 07700 900123" → [{text: 'Alex '}, {phone: '07700 900123'}].
 * @param {string} text @returns {({text: string}|{phone: string})[]}
 */
export function phoneParts(text) {
  /** @type {({text: string}|{phone: string})[]} */
  const parts = [];
  let at = 0;
  for (const m of String(text).matchAll(IN_TEXT)) {
    const digits = m[0].replace(/[^0-9]/g, '').length;
    if (digits < 3 || digits > 15) continue;
    if (m.index > at) parts.push({ text: text.slice(at, m.index) });
    parts.push({ phone: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** The phone numbers in a line of text. @param {string} text @returns {string[]} */
export const phonesIn = (text) => phoneParts(text).flatMap((p) => ('phone' in p ? [p.phone] : []));
