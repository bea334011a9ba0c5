// A navigation's full page: the shell (index.html as it ships) with the first view rendered in place of the boot line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { splitShell, streamPage } from '../../js/engine/full-page.js';
import { html } from '../../js/screens/views.js';

const SHELL = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');
const page = async (view) => new Response(streamPage(splitShell(SHELL), Promise.resolve(view))).text();

test('the view replaces the boot line inside #view, which is marked rendered', async () => {
  const out = await page(String(html`<h1 id="entries-title">Your entries</h1><p>${'Dinner & a walk'}</p>`));
  assert.doesNotMatch(out, /id="boot"/);
  assert.match(out, /<main id="view" data-rendered="true" tabindex="-1" hx-history-elt>\s*<h1 id="entries-title">Your entries<\/h1><p>Dinner &amp; a walk<\/p>\s*<\/main>/);
  // Everything else of the shell is kept: the page's script, the update notice and sync status regions.
  for (const kept of ['<script type="module" src="/js/page/app.js"></script>', 'id="app-update"', 'id="sync-status"']) {
    assert.ok(out.includes(kept), kept);
  }
});

test('nothing else changes: the page outside #view is the shell byte for byte', async () => {
  const out = await page('<p>x</p>');
  const [before, after] = SHELL.split(/<main id="view"[^]*?<\/main>/);
  assert.ok(out.startsWith(before));
  assert.ok(out.endsWith(after));
});

test('the head is sent before the view is ready', async () => {
  let finish;
  const view = new Promise((resolve) => { finish = resolve; });
  const reader = streamPage(splitShell(SHELL), view).getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.ok(first.includes('<link rel="stylesheet" href="/css/app.css">'));
  assert.ok(first.includes('<main id="view" data-rendered="true"'));
  assert.ok(!first.includes('</main>'));
  finish('<p>late</p>');
  const rest = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(new TextDecoder().decode(r.value));
  assert.ok(rest.join('').startsWith('<p>late</p>'));
});

test('a view that fails still ends the page: the tail of the shell is sent', async () => {
  const out = await new Response(streamPage(splitShell(SHELL), Promise.reject(new Error('x')))).text();
  assert.ok(out.endsWith('</html>\n') || out.endsWith('</html>'));
  assert.ok(out.includes('</main>'));
});

test('a shell of another shape is not cut: the caller sends it as it is', () => {
  assert.equal(splitShell('<html><body><main id="view"></main></body></html>'), null);
  assert.equal(splitShell(SHELL.replace('id="boot"', 'id="other"')), null);
  assert.equal(splitShell(SHELL.replace('<main id="view"', '<main id="other"')), null);
});

test('a view of another address than the page\'s own names it, escaped', async () => {
  const out = await new Response(streamPage(splitShell(SHELL, '/app/entries?q="a"&b<'), Promise.resolve('<p>x</p>')))
    .text();
  assert.match(out, /<main id="view" data-rendered="true" data-path="\/app\/entries\?q=&quot;a&quot;&amp;b&lt;" tabindex/);
});

test("the shell's own words come from the catalogue in use, escaped; without one the shell's English stays", async () => {
  const { withShellWords } = await import('../../js/engine/full-page.js');
  const { readFileSync } = await import('node:fs');
  const shell = readFileSync(new URL('../../index.html', import.meta.url), 'utf8');
  const en = JSON.parse(readFileSync(new URL('../../i18n/en.json', import.meta.url), 'utf8'));
  const keys = [...shell.matchAll(/data-words="([\w.]+)"/g)].map((m) => m[1]);
  assert.deepEqual(keys, ['shell.skip', 'lock.now', 'shell.boot', 'shell.noscript']);
  // index.html's own English is the catalogue's, word for word.
  assert.equal(withShellWords(shell, (key) => en[key]), shell);
  const marked = withShellWords(shell, (key) => `<${key}>`);
  for (const key of keys) assert.ok(marked.includes(`>&lt;${key}&gt;<`), key);
  assert.equal(withShellWords(shell, null), shell);
});
