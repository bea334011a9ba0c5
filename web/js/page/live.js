/**
 * The change stream (PROTOCOL.md §17 "Change notices"): while the app is open, visible and online, the page holds
 * GET /api/v1/sync/changes and, on each "moved", asks the worker to sync now. The page holds it because a browser
 * stops an idle service worker within seconds; the worker hands over the session token by message, and it goes
 * only into this request's Authorization header (never a URL). The 60 s poll stays: this only makes it sooner.
 */

export const CHANGES_PATH = '/api/v1/sync/changes';
const SILENT_MS = 45_000; // the server pings every 15 s (at most 30): a stream silent this long is dead
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 60_000;
const SHORT_MS = 5_000; // a stream that ended sooner than this was cut off (a proxy, a portal): back off, not at once
const OPEN_LINE = ': open'; // the server's first message: until it came, this is not the server's stream
const MAX_BEFORE_OPEN = 4_096; // characters without a complete first message: not the server's stream

/**
 * @typedef {{
 *   token: (renew: boolean) => Promise<string|null>,
 *   moved: () => void,
 *   opened?: () => void,
 *   failed?: () => void,
 * }} StreamIo
 * `token`: the session token from the worker (null when signed out; `renew` after a 401); `moved`: the feed moved;
 * `opened`: the stream is open (sync once: what moved before it opened is not announced); `failed`: the server
 * could not be reached.
 */

/** Wait before the next try: doubling from 1 s to 60 s, with ±30 % jitter so many pages do not come back at once. */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.7 + 0.6 * random()));
}

/** Wait `seconds` from a Retry-After, stretched by up to 50 % so pages turned away together do not return together. */
export function retryAfter(seconds, random = Math.random) {
  return Math.round(Math.min(seconds * 1000, MAX_WAIT_MS * 5) * (1 + 0.5 * random()));
}

/** Whether an answer is an event stream (a captive portal or a proxy's error page answers 200 with HTML). */
const isEventStream = (response) => /^text\/event-stream\s*(;|$)/i.test(response.headers.get('Content-Type') ?? '');

/**
 * Split what arrived into complete messages (each ends with a blank line); returns them and what is left over.
 * @param {string} text @returns {{messages: string[], rest: string}}
 */
export function splitMessages(text) {
  const normal = text.replace(/\r\n?/g, '\n');
  const parts = normal.split('\n\n');
  return { messages: parts.slice(0, -1), rest: parts[parts.length - 1] };
}

/** Whether one message is the notice "moved" (comments and anything else are not). @param {string} message */
export const isMoved = (message) => message.split('\n').some((line) => line === 'event: moved');

/**
 * A change stream that keeps itself open while `wanted()` (visible and online), reconnecting with backoff.
 * @param {StreamIo} io
 * @param {{wanted?: () => boolean, fetcher?: typeof fetch, now?: () => number, random?: () => number,
 *   waiting?: (ms: number) => void}} [options] `waiting` hears each wait before a new try (0: at once), for tests.
 */
export function createChangeStream(io, {
  wanted = () => true, fetcher = (...args) => fetch(...args), now = () => Date.now(), random = Math.random,
  waiting = () => {},
} = {}) {
  let running = false;
  let generation = 0; // each start() runs its own loop; stop() ends it, and an old one never runs on
  let gone = false; // the server has notices off (404): the poll alone, for this page's life
  let controller = null;
  let timer = null;
  /** @type {(value?: unknown) => void} */
  let resume = () => {};
  let attempt = 0;

  const pause = (ms) => new Promise((resolve) => {
    resume = resolve;
    timer = setTimeout(resolve, ms);
  });

  /** One connection; resolves with how long to wait before the next (0: at once), or null to stop trying. */
  async function connect(mine) {
    let token = await io.token(false);
    if (!token) return null; // not signed in: started again when the status changes
    for (let renewed = false; ;) {
      const ctl = new AbortController();
      controller = ctl;
      let response;
      try {
        response = await fetcher(CHANGES_PATH, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
          cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer', signal: ctl.signal });
      } catch {
        if (mine !== generation) return null; // stopped on purpose
        io.failed?.();
        return backoff(attempt++, random);
      }
      if (response.status === 401 && !renewed) {
        renewed = true;
        token = await io.token(true);
        if (!token) return null;
        continue;
      }
      if (response.status === 404) {
        gone = true;
        return null;
      }
      if (!response.ok || !response.body || !isEventStream(response)) {
        const after = Number(response.headers.get('Retry-After'));
        if (response.ok) ctl.abort(); // not the server's stream: do not read it
        if (!response.ok && Number.isFinite(after) && after > 0) return retryAfter(after, random);
        return backoff(attempt++, random);
      }
      return read(response.body, ctl, mine);
    }
  }

  /**
   * Read until the server ends the stream (its lifetime) or it goes silent; then reconnect at once if it lasted, or
   * after a backoff if it never said `: open` or ended within seconds (so a proxy that cuts streams short does not
   * make back-to-back requests, each with a sync run).
   */
  async function read(body, ctl, mine) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let rest = '';
    let openedAt = null;
    const lasted = () => openedAt !== null && now() - openedAt >= SHORT_MS;
    let silent = null;
    const quiet = () => {
      clearTimeout(silent);
      silent = setTimeout(() => ctl.abort(), SILENT_MS);
    };
    quiet();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (mine !== generation) return null;
        quiet();
        const split = splitMessages(rest + value);
        rest = split.rest;
        let { messages } = split;
        if (openedAt === null) {
          if (!messages.length && rest.length <= MAX_BEFORE_OPEN) continue;
          if (messages[0] !== OPEN_LINE) { // something else answers with an event stream: leave it
            ctl.abort();
            return backoff(attempt++, random);
          }
          openedAt = now();
          io.opened?.();
          messages = messages.slice(1);
        }
        if (messages.some(isMoved)) io.moved();
      }
    } catch {
      if (mine !== generation) return null; // stopped on purpose
      if (lasted()) attempt = 0;
      io.failed?.(); // cut off: the network went away, or the stream went silent
      return backoff(attempt++, random);
    } finally {
      clearTimeout(silent);
    }
    if (!lasted()) return backoff(attempt++, random); // ended before `: open`, or within seconds of it
    attempt = 0;
    return 0;
  }

  async function loop(mine) {
    const current = () => mine === generation && wanted() && !gone;
    while (current()) {
      const wait = await connect(mine);
      if (wait === null || !current()) break;
      waiting(wait);
      if (wait) await pause(wait);
    }
    if (mine === generation) running = false;
  }

  return {
    /** Open the stream if it is wanted and not open already. */
    start() {
      if (running || gone || !wanted()) return;
      running = true;
      const mine = ++generation;
      loop(mine).catch(() => { if (mine === generation) running = false; });
    },
    /** Close it (hidden, offline, signed out). */
    stop() {
      generation++;
      running = false;
      clearTimeout(timer);
      resume();
      controller?.abort();
    },
    /** Whether it is open or trying to be. */
    get running() { return running; },
  };
}
