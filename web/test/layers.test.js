// The layers of web/js (docs/INTERNALS.md "web/js"), enforced: every import of a module goes down the table below,
// never up or across. Like tests/test_layers.py for the Python side. Imports are read from the source: static
// (`import … from`, `import '…'`, `export … from`), dynamic (`import('…')`) and JSDoc types (`{import('…').T}`),
// since a type names what a module depends on as much as an import does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';

const WEB = new URL('..', import.meta.url);

// layer -> the layers its modules may import. `vendor` is /vendor/* (htmx, the QR encoder, Argon2): the page's only.
const ALLOWED = {
  core: ['core'], // the protocol, pure: no IndexedDB, network, DOM or HTML
  data: ['core', 'data'], // IndexedDB and the remote API
  engine: ['core', 'data', 'engine'], // the service worker's machinery behind the screens
  screens: ['core', 'data', 'engine', 'screens'], // views and routes, per feature
  page: ['core', 'page', 'vendor'], // the page's own realm (the DOM): never the worker's modules
  worker: ['core'], // sw.js: the pure core (the language to precache), and what EXCEPTIONS allows, the local server
};
// The only imports against the table, each with its reason.
const EXCEPTIONS = [
  { from: 'sw.js', to: 'js/engine/local-server.js', why: 'the worker dispatches to the local server, nothing else' },
  { from: 'js/engine/local-server.js', to: 'js/screens/features.js',
    why: 'the dispatcher registers the features (as server/app.py knows every router); features.js hands it the rest' },
];

/** The layer of a file (a path under web/, posix): its folder under js/, `worker` for sw.js, `vendor` for /vendor/*. */
export function layerOf(path) {
  if (path === 'sw.js') return 'worker';
  if (path.startsWith('vendor/')) return 'vendor';
  const [top, layer] = path.split('/');
  return top === 'js' && layer in ALLOWED && layer !== 'worker' ? layer : null;
}

/**
 * The source with comments, strings, template literals and regex literals blanked (quotes kept, every offset and
 * newline kept): what is left is code, so an import in prose or in a string counts for nothing, and a quote or a
 * slash inside a literal starts nothing. Also where the JSDoc comments are (`/** … *\/`), whose `import('…')`
 * types count. (An import inside a template literal's `${}` would be missed; the app has none.)
 * @param {string} src @returns {{code: string, jsdoc: [number, number][]}}
 */
export function blankOut(src) {
  let code = '';
  const jsdoc = [];
  const blank = (text) => text.replace(/[^\n]/g, ' ');
  let i = 0;
  let last = ''; // the last significant code character: tells a regex literal from a division
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    let end;
    if (c === '/' && next === '/') {
      end = src.indexOf('\n', i);
      if (end === -1) end = src.length;
    } else if (c === '/' && next === '*') {
      end = src.indexOf('*/', i + 2);
      end = end === -1 ? src.length : end + 2;
      if (src[i + 2] === '*') jsdoc.push([i, end]);
    }
    if (end !== undefined) {
      code += blank(src.slice(i, end));
      i = end;
      continue;
    }
    const regex = c === '/' && (last === '' || '(,=:[!&|?{};+-*%<>~^'.includes(last)
      || /\b(?:return|typeof|case|in|of|void)$/.test(code.trimEnd()));
    if (c === '"' || c === "'" || c === '`' || regex) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length) {
        const d = src[j];
        if (d === '\\') { j += 2; continue; }
        if (regex && d === '[') inClass = true;
        else if (regex && d === ']') inClass = false;
        else if (d === c && !inClass) break;
        else if (c !== '`' && d === '\n') break;
        j++;
      }
      code += c + blank(src.slice(i + 1, j)) + (j < src.length ? src[j] : '');
      last = c;
      i = j + 1;
      continue;
    }
    code += c;
    if (!/\s/.test(c)) last = c;
    i++;
  }
  return { code, jsdoc };
}

// Matched on the blanked code (a specifier's quotes are there, its text blank), read from the source at the
// same offsets.
const STATIC = /\b(?:import|export)\s+(?:[\w*{}\s,$]*?\s*from\s*)?(['"])([^'"\n]*)\1/dg;
const DYNAMIC = /\bimport\s*\(\s*(['"`])([^'"`\n]*)\1\s*\)/dg;
const lineAt = (text, index) => text.slice(0, index).split('\n').length;

/**
 * Every import of a module: [{line, specifier, kind}], kind `static`, `dynamic` or `type` (JSDoc's `import('…')`).
 * @param {string} src
 */
export function importsOf(src) {
  const { code, jsdoc } = blankOut(src);
  const found = [];
  const take = (m, kind) => {
    const [from, to] = m.indices[2];
    found.push({ line: lineAt(src, m.index), specifier: src.slice(from, to), kind });
  };
  for (const m of code.matchAll(STATIC)) take(m, 'static');
  for (const m of code.matchAll(DYNAMIC)) take(m, 'dynamic');
  for (const m of src.matchAll(DYNAMIC)) {
    if (jsdoc.some(([from, to]) => m.index > from && m.index < to)) take(m, 'type');
  }
  return found.sort((a, b) => a.line - b.line);
}

/** What a specifier names, as a path under web/ (posix), or null when it is not one of the app's files. */
export function resolve(from, specifier) {
  if (specifier.startsWith('/')) return specifier.slice(1);
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return posix.normalize(posix.join(posix.dirname(from), specifier));
  }
  return null; // a bare name (node:fs, a package): no layer may import one, the app has no bundler
}

/**
 * Every import against the table: one message per import, naming the file, the line and the rule.
 * @param {Map<string, string>} sources path under web/ -> source text
 * @returns {string[]}
 */
export function violations(sources) {
  const problems = [];
  for (const [path, src] of sources) {
    const layer = layerOf(path);
    if (!layer) {
      problems.push(`${path}: in no layer (a module belongs in one of ${Object.keys(ALLOWED).join(', ')})`);
      continue;
    }
    for (const { line, specifier, kind } of importsOf(src)) {
      const target = resolve(path, specifier);
      const where = `${path}:${line}: ${kind} import '${specifier}'`;
      const to = target === null ? null : layerOf(target);
      if (target === null || to === null) {
        problems.push(`${where} names no module of the app (a layer imports only web/js modules and /vendor/*)`);
      } else if (to !== 'vendor' && !sources.has(target)) {
        problems.push(`${where} names ${target}, which does not exist`);
      } else if (!ALLOWED[layer].includes(to) && !EXCEPTIONS.some((e) => e.from === path && e.to === target)) {
        const may = ALLOWED[layer].length ? ALLOWED[layer].join(', ') : 'nothing';
        problems.push(`${where} reaches ${to} (${target}): ${layer} may import only ${may}`);
      }
    }
  }
  return problems;
}

/** web/sw.js and every module under web/js, by path under web/. */
function appSources() {
  const sources = new Map([['sw.js', readFileSync(new URL('sw.js', WEB), 'utf8')]]);
  for (const name of readdirSync(new URL('js', WEB), { recursive: true })) {
    if (String(name).endsWith('.js')) {
      const path = posix.join('js', String(name).split('\\').join('/'));
      sources.set(path, readFileSync(new URL(path, WEB), 'utf8'));
    }
  }
  return sources;
}

test('every import in web/js and web/sw.js goes the way the layers allow', () => {
  const sources = appSources();
  assert.ok(sources.size > 50, 'the modules were found');
  assert.deepEqual(violations(sources), []);
});

test('each exception is still needed: the import it allows exists', () => {
  const sources = appSources();
  for (const { from, to } of EXCEPTIONS) {
    assert.ok(importsOf(sources.get(from) ?? '').some(({ specifier }) => resolve(from, specifier) === to), `${from} -> ${to}`);
  }
});

// The checker itself, on a tiny tree of its own.
const tree = (extra) => new Map([
  ['sw.js', "import { createLocalServer } from '/js/engine/local-server.js';"],
  ['js/core/bytes.js', 'export const equal = () => true;'],
  ['js/data/db.js', "import { equal } from '../core/bytes.js';\n/** @typedef {import('../core/bytes.js').X} X */"],
  ['js/engine/local-server.js', "import { FEATURES } from '../screens/features.js';\nimport { get } from '../data/db.js';"],
  ['js/engine/sync.js', "export { get } from '../data/db.js';"],
  ['js/screens/features.js', "import { x } from '../engine/sync.js';\nconst later = () => import('/js/core/bytes.js');"],
  ['js/screens/views.js', 'export const html = () => null;'],
  ['js/page/app.js', "import htmx from '/vendor/htmx.js';\nimport './qr.js';"],
  ['js/page/qr.js', "import { equal } from '../core/bytes.js';"],
  ...extra,
]);

test('self-test: imports that go the right way pass, the exceptions included', () => {
  assert.deepEqual(violations(tree([])), []);
});

test('self-test: a wrong-way import is caught, with its file, line and rule', () => {
  const cases = [
    ['js/data/documents.js', "import { get } from './db.js';\nimport { isPending } from '../engine/sync.js';",
      "js/data/documents.js:2: static import '../engine/sync.js' reaches engine (js/engine/sync.js): data may import only core, data"],
    ['js/page/qr.js', "import { html } from '../screens/views.js';",
      "js/page/qr.js:1: static import '../screens/views.js' reaches screens (js/screens/views.js): page may import only core, page, vendor"],
    ['js/core/keys.js', "\n\nconst db = () => import('/js/data/db.js');",
      "js/core/keys.js:3: dynamic import '/js/data/db.js' reaches data (js/data/db.js): core may import only core"],
    ['js/core/trust.js', "/**\n * @param {import('../screens/views.js').Fragment} f\n */",
      "js/core/trust.js:2: type import '../screens/views.js' reaches screens (js/screens/views.js): core may import only core"],
    ['js/engine/sync.js', "export { html } from '../screens/views.js';",
      "js/engine/sync.js:1: static import '../screens/views.js' reaches screens (js/screens/views.js): engine may import only core, data, engine"],
    ['js/engine/share.js', "import { htmx } from '/vendor/htmx.js';",
      "js/engine/share.js:1: static import '/vendor/htmx.js' reaches vendor (vendor/htmx.js): engine may import only core, data, engine"],
    ['sw.js', "import { createLocalServer } from '/js/engine/local-server.js';\nimport '/js/engine/sync.js';",
      "sw.js:2: static import '/js/engine/sync.js' reaches engine (js/engine/sync.js): worker may import only core"],
    ['js/screens/share/x.js', "import fs from 'node:fs';",
      "js/screens/share/x.js:1: static import 'node:fs' names no module of the app (a layer imports only web/js modules and /vendor/*)"],
    ['js/screens/share/y.js', "import { gone } from '../gone.js';",
      "js/screens/share/y.js:1: static import '../gone.js' names js/screens/gone.js, which does not exist"],
    ['js/shared/words.js', '', 'js/shared/words.js: in no layer (a module belongs in one of core, data, engine, screens, page, worker)'],
  ];
  for (const [path, src, message] of cases) assert.deepEqual(violations(tree([[path, src]])), [message], path);
});

test('self-test: the exception is for local-server.js and features.js alone', () => {
  const other = "import { FEATURES } from '../screens/features.js';";
  assert.equal(violations(tree([['js/engine/router.js', other]])).length, 1);
  const more = "import { FEATURES } from '../screens/features.js';\nimport { html } from '../screens/views.js';";
  assert.deepEqual(violations(tree([['js/engine/local-server.js', more]])), [
    "js/engine/local-server.js:2: static import '../screens/views.js' reaches screens (js/screens/views.js): engine may import only core, data, engine",
  ]);
});

test('self-test: prose, strings, regex literals and template text import nothing', () => {
  const src = [
    '// like import(\'/js/screens/views.js\') in a comment, or import { x } from \'../screens/views.js\'',
    "/* import('../screens/views.js') in a block comment that is not JSDoc */",
    "const words = \"import { x } from '../screens/views.js'\";",
    'const re = /[\'"]/g; const half = 4 / 2; // and a division',
    "const t = `import('../screens/views.js')`;",
    "import { equal } from '../core/bytes.js';",
  ].join('\n');
  assert.deepEqual(importsOf(src), [{ line: 6, specifier: '../core/bytes.js', kind: 'static' }]);
  // Multi-line import lists and `export * from` count.
  const multi = "import {\n  a,\n  b,\n} from './a.js';\nexport * from './b.js';\nimport './c.js';";
  assert.deepEqual(importsOf(multi).map(({ line, specifier }) => [line, specifier]),
    [[1, './a.js'], [5, './b.js'], [6, './c.js']]);
});
