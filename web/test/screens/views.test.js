// The escaping html`` tag: the one place markup is made, so the one place XSS is stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escape, html, htmlResponse, isFragment } from '../../js/screens/views.js';

test('interpolated text is escaped in text and quoted attributes', () => {
  const hostile = `<img src=x onerror="alert(1)">'\`&`;
  const out = String(html`<p title="${hostile}">${hostile}</p>`);
  assert.equal(out, '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;">'
    + '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;</p>');
});

test('fragments made by html`` nest as markup; arrays join; null, undefined and false vanish', () => {
  const items = ['a<', 'b>'].map((x) => html`<li>${x}</li>`);
  assert.equal(String(html`<ul>${items}${null}${undefined}${false}${0}</ul>`), '<ul><li>a&lt;</li><li>b&gt;</li>0</ul>');
  assert.ok(isFragment(items[0]));
});

test('look-alike objects are not trusted as markup', () => {
  const fake = { markup: '<script>x</script>', toString: () => '<script>x</script>' };
  assert.equal(String(html`${fake}`), '&lt;script&gt;x&lt;/script&gt;');
  assert.equal(escape('"\''), '&quot;&#39;');
});

test('htmlResponse only takes fragments and is never stored', async () => {
  assert.throws(() => htmlResponse('<p>raw</p>'), TypeError);
  const r = htmlResponse(html`<p>${'x'}</p>`, 422);
  assert.equal(r.status, 422);
  assert.equal(r.headers.get('Cache-Control'), 'no-store');
  assert.equal(await r.text(), '<p>x</p>');
});
