// The stylesheets use logical properties (margin-inline-start, padding-inline, inset-inline, text-align: start…), so
// a right-to-left language can be added without a second stylesheet (issue 14). Physical left and right are refused,
// except the safe-area insets, which are physical by nature (env(safe-area-inset-left) is the left edge, whatever
// the language), and transforms, which a :dir(rtl) rule must mirror (checked below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const DIR = new URL('../../css/', import.meta.url);
const sheets = readdirSync(DIR).filter((name) => name.endsWith('.css'))
  .map((name) => ({ name, css: readFileSync(new URL(name, DIR), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '') }));

/** Every declaration as [sheet, property, value, selector]. */
function declarations() {
  const out = [];
  for (const { name, css } of sheets) {
    for (const [, selector, body] of css.matchAll(/([^{}]*)\{([^{}]*)\}/g)) {
      for (const part of body.split(';')) {
        const at = part.indexOf(':');
        if (at < 0) continue;
        out.push([name, part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim(), selector.trim()]);
      }
    }
  }
  return out;
}

const PHYSICAL = /^(left|right|(margin|padding|border)-(left|right)(-\w+)*|border-(top|bottom)-(left|right)-radius|scroll-(margin|padding)-(left|right))$/;
const SAFE_AREA = (side) => new RegExp(`^env\\(safe-area-inset-${side}\\)$`);

/** What is physical about one declaration, or null. */
function physical([, property, value]) {
  const side = /(left|right)/.exec(property)?.[1];
  if (PHYSICAL.test(property)) return SAFE_AREA(side).test(value) ? null : property;
  if (/^(text-align|float|clear|caption-side)$/.test(property) && /\b(left|right)\b/.test(value)) {
    return `${property}: ${value}`;
  }
  // margin/padding/inset with four values: the inline ones (2nd, 4th) must match, else it is physical.
  if (/^(margin|padding|inset|border-width|border-style|border-color)$/.test(property)) {
    const parts = value.split(/\s+(?![^(]*\))/);
    if (parts.length === 4 && parts[1] !== parts[3] && !parts.every((p, i) => SAFE_AREA(['top', 'right', 'bottom',
      'left'][i]).test(p) || /safe-area-inset-(top|bottom)/.test(p))) return `${property}: ${value}`;
  }
  return null;
}

test('the stylesheets use logical properties, never physical left and right', () => {
  assert.ok(sheets.length > 0);
  const found = declarations().map((d) => [d[0], physical(d), d[3]]).filter(([, what]) => what);
  assert.deepEqual(found, []);
});

test('a transform along x has its mirror for right-to-left', () => {
  const decls = declarations();
  for (const [name, property, value, selector] of decls) {
    if (property !== 'transform' || !/translateX\(/.test(value) || /:dir\(rtl\)/.test(selector)) continue;
    const mirror = decls.find(([n, p, , s]) => n === name && p === 'transform'
      && s === selector.replace(/(::?[\w-]+)?$/, (pseudo) => `:dir(rtl)${pseudo}`));
    assert.ok(mirror, `${selector}: no :dir(rtl) rule mirrors ${value}`);
  }
});

test('the check itself finds what is physical', () => {
  assert.equal(physical(['a', 'margin-left', '1rem']), 'margin-left');
  assert.equal(physical(['a', 'left', '0']), 'left');
  assert.equal(physical(['a', 'text-align', 'right']), 'text-align: right');
  assert.equal(physical(['a', 'padding', '0 1rem 0 2rem']), 'padding: 0 1rem 0 2rem');
  assert.equal(physical(['a', 'padding-left', 'env(safe-area-inset-left)']), null);
  assert.equal(physical(['a', 'padding', 'env(safe-area-inset-top) env(safe-area-inset-right) '
    + 'env(safe-area-inset-bottom) env(safe-area-inset-left)']), null);
  assert.equal(physical(['a', 'margin-inline-start', '1rem']), null);
  assert.equal(physical(['a', 'text-align', 'start']), null);
});
