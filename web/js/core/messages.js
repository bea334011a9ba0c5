/**
 * Message catalogues: every word a person reads comes from one (docs/WEB.md "Messages and languages").
 * A catalogue is a JSON object of stable dotted keys to messages in a subset of ICU MessageFormat:
 *   - `{name}`: an argument, put in as it is (a number through Intl.NumberFormat);
 *   - `{count, plural, one {# entry} other {# entries}}`: Intl.PluralRules of the language picks the branch
 *     (`=0` matches the exact number first); `#` inside it is the number, formatted;
 *   - `{wording, select, homework {…} other {…}}`: the branch named by the argument's value, else `other`.
 * Apostrophes are plain text (no ICU quoting); `{` and `}` cannot appear as text.
 * The formatter returns plain text, or parts for html`` to assemble: escaping stays with html``.
 * Pure apart from the language in use, which the worker sets once it knows the person's setting.
 */

/** @typedef {Record<string, string>} Catalogue */
/**
 * A parsed message: text, an argument, or a choice between branches.
 * @typedef {string | {arg: string} | {hash: true} | {arg: string, plural?: boolean, branches: Record<string, Node[]>}} Node
 */

/** The languages with a catalogue (web/i18n/<code>.json), each by its own name for a chooser. */
export const LANGUAGES = Object.freeze({ en: 'English', es: 'Español' });
/** The language of the app's own wording, used when none of the person's languages has a catalogue. */
export const SOURCE = 'en';

/**
 * The catalogue for the person's languages, in their order of preference: the first that has a catalogue, by its
 * full tag (`pt-BR`) or its language (`pt`). `locale` is the tag to format dates and numbers with: the person's own
 * (`en-GB` reads "10 Mar 2026", not the American order) when its language has the catalogue.
 * @param {readonly string[]} preferred @param {Record<string, string>} [available]
 * @returns {{language: string, locale: string}}
 */
export function pickLanguage(preferred, available = LANGUAGES) {
  for (const tag of preferred) {
    if (!tag) continue;
    const exact = Object.keys(available).find((code) => code.toLowerCase() === tag.toLowerCase());
    if (exact) return { language: exact, locale: tag };
    const base = tag.split('-')[0].toLowerCase();
    if (base in available) return { language: base, locale: tag };
  }
  return { language: SOURCE, locale: SOURCE };
}

/** A message that cannot be parsed, or a key no catalogue has: a mistake in the app, never in what a person typed. */
export class MessageError extends Error {
  name = 'MessageError';
}

/**
 * Parse one message into nodes. Throws MessageError on unbalanced braces or an unknown argument type.
 * @param {string} text @returns {Node[]}
 */
export function parse(text) {
  let at = 0;
  const fail = (why) => { throw new MessageError(`${why} at ${at} in a message`); };

  /** @param {boolean} inPlural whether `#` is the number here @returns {Node[]} */
  function nodes(inPlural) {
    /** @type {Node[]} */
    const out = [];
    let buffer = '';
    while (at < text.length) {
      const c = text[at];
      if (c === '}') break;
      if (c === '{') {
        if (buffer) out.push(buffer);
        buffer = '';
        out.push(argument(inPlural));
      } else if (c === '#' && inPlural) {
        if (buffer) out.push(buffer);
        buffer = '';
        out.push({ hash: true });
        at += 1;
      } else {
        buffer += c;
        at += 1;
      }
    }
    if (buffer) out.push(buffer);
    return out;
  }

  const word = () => {
    const match = /^\s*([=\w.-]+)\s*/.exec(text.slice(at));
    if (!match) fail('a name expected');
    at += match[0].length;
    return match[1];
  };

  /** @param {boolean} inPlural whether an enclosing plural makes `#` its number @returns {Node} */
  function argument(inPlural) {
    at += 1; // {
    const arg = word();
    if (text[at] === '}') {
      at += 1;
      return { arg };
    }
    if (text[at] !== ',') fail('"," or "}" expected');
    at += 1;
    const type = word();
    if (type !== 'plural' && type !== 'select') fail(`unknown argument type "${type}"`);
    if (text[at] !== ',') fail('"," expected');
    at += 1;
    /** @type {Record<string, Node[]>} */
    const branches = {};
    for (;;) {
      while (/\s/.test(text[at] ?? '')) at += 1;
      if (text[at] === '}') break;
      const key = word();
      if (text[at] !== '{') fail('"{" expected');
      at += 1;
      branches[key] = nodes(inPlural || type === 'plural');
      if (text[at] !== '}') fail('"}" expected');
      at += 1;
    }
    if (!branches.other) fail('an "other" branch is required');
    at += 1;
    return { arg, plural: type === 'plural', branches };
  }

  const result = nodes(false);
  if (at < text.length) fail('unbalanced "}"');
  return result;
}

const parsed = new WeakMap(); // catalogue -> Map(key -> nodes): each message parsed once
const plurals = new Map(); // locale -> Intl.PluralRules
const numbers = new Map(); // locale -> Intl.NumberFormat

const cached = (map, locale, make) => {
  let value = map.get(locale);
  if (!value) map.set(locale, (value = make()));
  return value;
};

/**
 * The message `key` of `catalogue` with `params` put in, as parts: strings, and the arguments whose values are not
 * strings or numbers (fragments of html``) as they were given. Throws MessageError for a key the catalogue lacks
 * or an argument not given.
 * @param {Catalogue} catalogue @param {string} key @param {Record<string, unknown>} [params]
 * @param {string} [locale] for plural rules and numbers (the catalogue's language if not given)
 * @returns {unknown[]}
 */
export function formatParts(catalogue, key, params = {}, locale = SOURCE) {
  let messages = parsed.get(catalogue);
  if (!messages) parsed.set(catalogue, (messages = new Map()));
  let message = messages.get(key);
  if (!message) {
    if (!Object.hasOwn(catalogue, key)) throw new MessageError(`no message "${key}"`);
    message = parse(catalogue[key]);
    messages.set(key, message);
  }
  const number = (n) => cached(numbers, locale, () => new Intl.NumberFormat(locale)).format(n);
  const out = [];
  const push = (part) => {
    if (typeof part === 'string' && typeof out[out.length - 1] === 'string') out[out.length - 1] += part;
    else out.push(part);
  };
  /** @param {Node[]} list @param {number|null} count */
  const walk = (list, count) => {
    for (const node of list) {
      if (typeof node === 'string') push(node);
      else if ('hash' in node) push(number(count));
      else {
        if (!Object.hasOwn(params, node.arg)) throw new MessageError(`message "${key}" needs "${node.arg}"`);
        const value = params[node.arg];
        if (!('branches' in node)) push(typeof value === 'number' ? number(value) : value);
        else if (node.plural) {
          const n = Number(value);
          const branch = node.branches[`=${n}`]
            ?? node.branches[cached(plurals, locale, () => new Intl.PluralRules(locale)).select(n)]
            ?? node.branches.other;
          walk(branch, n);
        } else walk(node.branches[String(value)] ?? node.branches.other, count);
      }
    }
  };
  walk(message, null);
  return out;
}

/**
 * The message as plain text (escape it where it goes: html`` does).
 * @param {Catalogue} catalogue @param {string} key @param {Record<string, unknown>} [params] @param {string} [locale]
 */
export const format = (catalogue, key, params = {}, locale = SOURCE) =>
  formatParts(catalogue, key, params, locale).map(String).join('');

/** @type {{language: string, locale: string, catalogue: Catalogue, strict: boolean}|null} */
let current = null;

/**
 * Use this catalogue from now on. `strict` (tests): a missing key throws. Otherwise (the app) a missing key shows
 * the key itself and is reported on the console: one odd word on a screen is better than a screen that fails,
 * and the key says exactly what is missing. The test "every key in every catalogue" keeps that from shipping.
 * @param {{language: string, locale?: string, catalogue: Catalogue, strict?: boolean}} choice
 */
export function useLanguage({ language, locale = language, catalogue, strict = false }) {
  current = { language, locale, catalogue, strict };
}

/** The language in use (`lang` of the page) and the locale dates and numbers are formatted with. */
export const languageInUse = () => current?.language ?? null;
export const localeInUse = () => current?.locale;

/**
 * A message of the catalogue in use, as parts (see formatParts). The screens' `t` and `tt` build on it.
 * @param {string} key @param {Record<string, unknown>} [params] @returns {unknown[]}
 */
export function messageParts(key, params = {}) {
  if (!current) throw new MessageError(`no catalogue in use for "${key}" (useLanguage; node tests import test/messages-setup.js)`);
  try {
    return formatParts(current.catalogue, key, params, current.locale);
  } catch (err) {
    if (current.strict || !(err instanceof MessageError)) throw err;
    console.error('between: message', err.message);
    return [key];
  }
}

/**
 * A message of the catalogue in use as plain text, for modules below the screens (the engine's problems in words);
 * the screens' `t` is the same.
 * @param {string} key @param {Record<string, unknown>} [params]
 */
export const text = (key, params = {}) => messageParts(key, params).map(String).join('');

/** Whether the catalogue in use has a message for `key` (false when none is in use). @param {string} key */
export const hasMessage = (key) => Boolean(current && Object.hasOwn(current.catalogue, key));
