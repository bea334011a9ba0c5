// screens/attachments/attachment-routes.js: the Range an audio element asks for (one range of bytes, RFC 9110
// §14.1.2), answered 206 with its Content-Range, 416 past the end, whole otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteRange, bytesResponse } from '../../js/screens/attachments/attachment-routes.js';

test('one range of bytes: from-to, from, the last n', () => {
  assert.deepEqual(byteRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.deepEqual(byteRange('bytes=500-', 1000), { start: 500, end: 999 });
  assert.deepEqual(byteRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(byteRange('bytes=-5000', 1000), { start: 0, end: 999 });
  assert.deepEqual(byteRange('bytes=990-2000', 1000), { start: 990, end: 999 }, 'an end past the last byte is the last');
});

test('no range, or one this does not take: the whole; past the end: unsatisfiable', () => {
  for (const header of [null, '', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3', 'bytes=a-b']) {
    assert.equal(byteRange(header, 1000), null, String(header));
  }
  assert.equal(byteRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(byteRange('bytes=-0', 1000), 'unsatisfiable');
});

test('the answers: 200 whole, 206 with Content-Range, 416; private, never cached or sniffed', async () => {
  const bytes = new Uint8Array(Array.from({ length: 10 }, (_, i) => i));
  const whole = bytesResponse(bytes, 'audio/webm', null);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('Content-Type'), 'audio/webm');
  assert.equal(whole.headers.get('Accept-Ranges'), 'bytes');
  assert.equal(whole.headers.get('Cache-Control'), 'no-store');
  assert.equal(whole.headers.get('X-Content-Type-Options'), 'nosniff');
  assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), bytes);
  const part = bytesResponse(bytes, 'audio/webm', 'bytes=2-4');
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('Content-Range'), 'bytes 2-4/10');
  assert.equal(part.headers.get('Content-Length'), '3');
  assert.deepEqual([...new Uint8Array(await part.arrayBuffer())], [2, 3, 4]);
  const none = bytesResponse(bytes, 'audio/webm', 'bytes=10-');
  assert.equal(none.status, 416);
  assert.equal(none.headers.get('Content-Range'), 'bytes */10');
});

test('every answer is sandboxed; a media type outside the allowlist is a download of octet-stream, never a page', () => {
  const bytes = new TextEncoder().encode('<script>window.__pwned = 1</script>');
  for (const media of ['text/html', 'image/svg+xml', 'application/xhtml+xml', '', undefined, 'toString']) {
    const r = bytesResponse(bytes, media, null);
    assert.equal(r.headers.get('Content-Type'), 'application/octet-stream', String(media));
    assert.equal(r.headers.get('Content-Disposition'), 'attachment');
  }
  for (const r of [bytesResponse(bytes, 'image/png', null), bytesResponse(bytes, 'text/html', 'bytes=0-3'),
    bytesResponse(bytes, 'audio/ogg', 'bytes=999-')]) {
    assert.equal(r.headers.get('Content-Security-Policy'), "default-src 'none'; sandbox");
    assert.equal(r.headers.get('X-Content-Type-Options'), 'nosniff');
    assert.equal(r.headers.get('Cross-Origin-Resource-Policy'), 'same-origin');
  }
  assert.equal(bytesResponse(bytes, 'image/png', null).headers.get('Content-Disposition'), 'inline');
});
