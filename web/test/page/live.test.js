// The page's change stream (js/page/live.js) against a fetch that answers as the server does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANGES_PATH, backoff, createChangeStream, isMoved, retryAfter, splitMessages } from '../../js/page/live.js';

const encoder = new TextEncoder();

/** A text/event-stream answer that sends `chunks` and then stays open until the request is aborted. */
function streamAnswer(chunks, { end = false, type = 'text/event-stream' } = {}) {
  return (init) => new Response(new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (end) controller.close();
      else init.signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
    },
  }), { status: 200, headers: { 'Content-Type': type } });
}

const until = async (check, ms = 2000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

test('messages are split at blank lines, across chunks, and only "moved" is a notice', () => {
  assert.deepEqual(splitMessages(': open\n\nevent: moved\ndata: moved\n\nevent: mo'),
    { messages: [': open', 'event: moved\ndata: moved'], rest: 'event: mo' });
  assert.deepEqual(splitMessages(': ping\r\n\r\n').messages, [': ping']);
  assert.ok(isMoved('event: moved\ndata: moved'));
  assert.ok(!isMoved(': ping') && !isMoved(': event: moved') && !isMoved('data: moved'));
});

test('backoff doubles from about a second to at most a minute, with jitter', () => {
  assert.equal(backoff(0, () => 0.5), 1000);
  assert.equal(backoff(3, () => 0.5), 8000);
  assert.equal(backoff(30, () => 0.5), 60000);
  assert.equal(backoff(0, () => 0), 700);
  assert.equal(backoff(0, () => 1), 1300);
});

test('the stream sends the bearer token in a header, says when it opened and tells each "moved"', async () => {
  const calls = [];
  let opened = 0;
  let moved = 0;
  const stream = createChangeStream({ token: async () => 'tok-123', moved: () => { moved++; }, opened: () => { opened++; } },
    { fetcher: async (url, init) => {
      calls.push({ url, init });
      return streamAnswer([': open\n\n', 'event: moved\ndata: moved\n\n: ping\n\nevent: mov', 'ed\ndata: moved\n\n'])(init);
    } });
  stream.start();
  await until(() => moved === 2);
  assert.equal(opened, 1);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, CHANGES_PATH);
  assert.ok(!calls[0].url.includes('tok-123'));
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok-123');
  assert.equal(calls[0].init.credentials, 'omit');
  stream.stop();
  assert.equal(stream.running, false);
});

test('a refused token is renewed once; a server with notices off is left alone; signed out opens nothing', async () => {
  const asked = [];
  const answers = [new Response('', { status: 401 }), new Response('', { status: 404 })];
  const stream = createChangeStream({ token: async (renew) => { asked.push(renew); return renew ? 'new' : 'old'; },
    moved: () => {} }, { fetcher: async () => answers.shift() });
  stream.start();
  await until(() => !stream.running);
  assert.deepEqual(asked, [false, true]);
  stream.start(); // 404: the poll alone from now on
  assert.equal(stream.running, false);

  let fetched = 0;
  const signedOut = createChangeStream({ token: async () => null, moved: () => {} },
    { fetcher: async () => { fetched++; return new Response(''); } });
  signedOut.start();
  await until(() => !signedOut.running);
  assert.equal(fetched, 0);
});

test('a stream the server ends is opened again at once; an unreachable server is tried again later', async () => {
  let fetched = 0;
  let failed = 0;
  let clock = 0;
  const waits = [];
  const stream = createChangeStream({ token: async () => 't', moved: () => {}, failed: () => { failed++; } },
    { now: () => (clock += 60_000), random: () => 0.5, waiting: (ms) => waits.push(ms), // every stream lasts a minute
      fetcher: async (url, init) => {
      fetched++;
      if (fetched === 2) throw new TypeError('Failed to fetch');
      return streamAnswer([': open\n\n'], { end: fetched === 1 })(init);
    } });
  stream.start();
  await until(() => fetched === 3, 5000); // ended, failed (backoff about 1 s), open again
  assert.equal(failed, 1);
  assert.deepEqual(waits, [0, 1000]);
  stream.stop();
});

test('only the server\'s own stream counts as open: a portal\'s page, a stranger\'s stream, a cut-short stream back off',
  async () => {
    const answers = [
      streamAnswer(['<html>Sign in to the hotel Wi-Fi</html>\n\n'], { end: true, type: 'text/html; charset=utf-8' }),
      streamAnswer(['data: hello\n\n'], { end: true }), // an event stream, but not this server's
      streamAnswer([': open\n\n'], { end: true }), // the server's, but a proxy ends it at once
    ];
    let opened = 0;
    const waits = [];
    const stream = createChangeStream({ token: async () => 't', moved: () => {}, opened: () => { opened++; } },
      { now: () => 0, random: () => 0, waiting: (ms) => waits.push(ms),
        fetcher: async (url, init) => answers.shift()(init) });
    stream.start();
    await until(() => waits.length === 3, 5000);
    stream.stop();
    // The wait grows each time (700 ms, 1.4 s, 2.8 s: no jitter here) instead of starting over at once.
    assert.deepEqual(waits, [700, 1400, 2800]);
    assert.equal(opened, 1); // only the server's `: open` asks for a sync run
  });

test('a Retry-After is waited out with up to half again of jitter', async () => {
  assert.equal(retryAfter(30, () => 0), 30_000);
  assert.equal(retryAfter(30, () => 1), 45_000);
  assert.equal(retryAfter(10_000, () => 0), 300_000); // never more than five minutes before the jitter
  const waits = [];
  const stream = createChangeStream({ token: async () => 't', moved: () => {} }, { random: () => 0.5,
    waiting: (ms) => waits.push(ms),
    fetcher: async () => new Response('', { status: 429, headers: { 'Retry-After': '30' } }) });
  stream.start();
  await until(() => waits.length === 1);
  stream.stop();
  assert.deepEqual(waits, [37_500]);
});

test('a stream is not opened when it is not wanted (hidden or offline)', async () => {
  let fetched = 0;
  const stream = createChangeStream({ token: async () => 't', moved: () => {} },
    { wanted: () => false, fetcher: async () => { fetched++; return new Response(''); } });
  stream.start();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(fetched, 0);
  assert.equal(stream.running, false);
});
