/** The escaping `html` tagged template: every interpolation is escaped unless html`` itself built it. */

import { messageParts, text } from '../core/messages.js';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
const SPECIAL = /[&<>"'`]/;

/** A fragment of markup made by html``. Nothing else can make one, so there is no raw() to misuse. */
class Fragment {
  /** @param {string} markup */
  constructor(markup) {
    this.markup = markup;
    Object.freeze(this);
  }

  toString() {
    return this.markup;
  }
}

const make = (markup) => new Fragment(markup);

/** @param {unknown} value */
export function escape(value) {
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]) : text; // most text has none: one scan
}

function render(value) {
  if (value instanceof Fragment) return value.markup;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escape(value);
}

/**
 * html`<p>${text}</p>`: strings, numbers and everything else are escaped (text and quoted attributes alike);
 * fragments made by html`` and arrays of them are inserted as they are; null, undefined and false vanish.
 * Attribute values must always be quoted in the template.
 * @param {TemplateStringsArray} strings @param {...unknown} values
 */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return make(out);
}

/** @param {unknown} value */
export const isFragment = (value) => value instanceof Fragment;

/** An HTML response from a fragment; `no-store` because it holds decrypted content. */
export function htmlResponse(fragment, status = 200, headers = {}) {
  if (!(fragment instanceof Fragment)) throw new TypeError('htmlResponse takes a fragment made by html``');
  return new Response(fragment.markup, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  });
}


/**
 * A message of the catalogue in use as text, for html`` to escape where it goes (core/messages.js).
 * @param {string} key @param {Record<string, unknown>} [params]
 */
export const t = text;

/**
 * A message as a fragment, for messages whose arguments are fragments themselves ("Written {created}" with a
 * <time>): the message's own text is escaped, the fragments go in as they are, anything else is escaped.
 * @param {string} key @param {Record<string, unknown>} [params]
 */
export const tt = (key, params = {}) => make(messageParts(key, params).map(render).join(''));
