/**
 * The voice recorder of a form (screens/media-views.js attachmentsEditor, audio): MediaRecorder with Opus in
 * WebM (else Ogg, else what the browser has among the media the protocol allows: MP4 on Safari), up to 5 minutes.
 * Record, Stop, Play back, Record again, Remove; the time so far and the time left beside it; the microphone refused
 * or missing said in words. Playing back a recording not yet saved goes through Web Audio (the app's CSP allows no
 * blob: media, and needs none); nothing ever plays by itself. The recording goes into the form as a File with its
 * length (`duration_ms`), page/attach-form.js syncForm.
 */

import { button, countOf, fail, maxOf, pending, say, syncForm } from './attach-form.js';
import { withDuration } from './webm.js';

/** What MediaRecorder is asked for, best first; each is one of the protocol's media (§19) once its codecs go. */
export const RECORDING_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/ogg',
  'audio/mp4;codecs=opus', 'audio/mp4'];
/** The media the protocol allows for audio. */
const ALLOWED = new Set(['audio/webm', 'audio/ogg', 'audio/mp4']);
/** Speech is clear at 32 kbit/s of Opus: five minutes are about 1.2 MB. */
const BITS_PER_SECOND = 32_000;
/** Said when this much is left, once each. */
const WARN_AT_MS = [60_000, 30_000, 10_000];

/** The first type this browser records, or '' (then the browser's own choice, checked after). */
export function recordingType(supported = (type) => globalThis.MediaRecorder?.isTypeSupported?.(type) ?? false) {
  return RECORDING_TYPES.find((type) => supported(type)) ?? '';
}

/** A media type without its parameters ("audio/webm;codecs=opus" → "audio/webm"). @param {string} type */
export const baseType = (type) => String(type).split(';')[0].trim().toLowerCase();

/** "0:05": whole seconds gone by, as a player shows them. @param {number} ms */
export function clock(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

const EXTENSION = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' };

/** Why the microphone could not be used, as the catalogue's key. @param {unknown} error */
export function micProblem(error) {
  const name = /** @type {{name?: string}} */ (error)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'attach.rec.denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'attach.rec.noMic';
  if (name === 'NotReadableError' || name === 'AbortError') return 'attach.rec.busy';
  return 'attach.rec.failed';
}

/** @type {AudioContext|null} */
let audioContext = null;
/** The one AudioBufferSourceNode playing, and what stops it. */
let playing = /** @type {{stop: () => void}|null} */ (null);

/** A recording's sound, decoded once (for its exact length and to play it back). @param {Blob} file */
async function decode(file) {
  audioContext ??= new AudioContext();
  return audioContext.decodeAudioData(await file.arrayBuffer());
}

/**
 * @param {HTMLElement} box the field's [data-recorder]
 * @param {(key: string, params?: Record<string, unknown>) => string} words
 */
export function runRecorder(box, words) {
  const list = /** @type {HTMLElement} */ (box.querySelector('[data-attach-list]'));
  const record = /** @type {HTMLButtonElement} */ (box.querySelector('[data-rec="record"]'));
  const stop = /** @type {HTMLButtonElement} */ (box.querySelector('[data-rec="stop"]'));
  const clockLine = /** @type {HTMLElement} */ (box.querySelector('[data-rec-clock]'));
  const elapsed = /** @type {HTMLElement} */ (box.querySelector('[data-rec-elapsed]'));
  const left = /** @type {HTMLElement} */ (box.querySelector('[data-rec-left]'));
  const meter = /** @type {HTMLProgressElement} */ (box.querySelector('[data-rec-progress]'));
  const limit = Number(box.dataset.limitMs) || 300_000;
  /** @type {{recorder: MediaRecorder, stream: MediaStream, started: number, timer: number, warned: Set<number>,
   *   atLimit: boolean}|null} */
  let session = null;

  /** The buttons as the state says: Record (or Record again when full), Stop while recording. */
  function buttons() {
    const full = countOf(box) >= maxOf(box);
    record.hidden = Boolean(session);
    stop.hidden = !session;
    record.textContent = words(full ? 'attach.rec.again' : 'attach.rec.record');
    record.classList.toggle('secondary', full); // once there is a recording, saving it is the step that comes next
    // A field that holds several is full: Record again would replace them all, so Remove one first.
    record.disabled = full && maxOf(box) > 1;
    box.classList.toggle('is-recording', Boolean(session));
  }

  function tick() {
    if (!session) return;
    const ms = performance.now() - session.started;
    elapsed.textContent = clock(ms);
    const rest = Math.max(0, limit - ms);
    left.textContent = words('attach.rec.left', { left: clock(Math.ceil(rest / 1000) * 1000) }); // with the time so far, 5:00
    meter.value = Math.min(ms, limit);
    for (const at of WARN_AT_MS) {
      if (rest <= at && !session.warned.has(at)) {
        session.warned.add(at);
        if (at < limit) say(box, words('attach.rec.warn', { left: clock(at) }));
      }
    }
    if (ms >= limit) {
      session.atLimit = true;
      finish();
    }
  }

  async function start() {
    if (session) return;
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      fail(box, words('attach.rec.unsupported'));
      return;
    }
    stopPlaying();
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      fail(box, words(micProblem(error)));
      record.focus();
      return;
    }
    const type = recordingType();
    let recorder;
    try {
      recorder = new MediaRecorder(stream, { ...(type ? { mimeType: type } : {}), audioBitsPerSecond: BITS_PER_SECOND });
    } catch {
      stream.getTracks().forEach((track) => track.stop());
      fail(box, words('attach.rec.unsupported'));
      return;
    }
    /** @type {Blob[]} */
    const chunks = [];
    recorder.addEventListener('dataavailable', (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener('stop', () => { recorded(chunks, recorder.mimeType || type); });
    recorder.start(1000);
    session = { recorder, stream, started: performance.now(), timer: 0, warned: new Set(), atLimit: false };
    session.timer = window.setInterval(tick, 250);
    clockLine.hidden = false;
    meter.hidden = false;
    tick();
    buttons();
    stop.focus();
    say(box, words('attach.rec.started', { limit: clock(limit) }));
  }

  /** @type {number} */
  let duration = 0;
  function finish() {
    if (!session) return;
    duration = Math.min(limit, Math.round(performance.now() - session.started));
    window.clearInterval(session.timer);
    if (session.recorder.state !== 'inactive') session.recorder.stop(); // 'stop' then calls recorded
    session.stream.getTracks().forEach((track) => track.stop()); // the browser's "recording" mark goes away
  }

  /** The recording is whole: it goes into the form (replacing what was there when only one fits). */
  async function recorded(chunks, type) {
    const atLimit = session?.atLimit ?? false;
    session = null;
    const media = baseType(type);
    if (!ALLOWED.has(media) || !chunks.length) {
      buttons();
      fail(box, words(chunks.length ? 'attach.rec.unsupported' : 'attach.rec.empty'));
      record.focus();
      return;
    }
    const blob = new Blob(chunks, { type: media });
    let sound = null;
    try {
      sound = await decode(blob);
    } catch {
      // not decodable here (it still plays in <audio> once saved); its length is the clock's
    }
    const ms = sound ? Math.round(sound.duration * 1000) : duration;
    // Its length written into a WebM's header, so every player (the therapist's, a saved copy's) shows it at once.
    const bytes = media === 'audio/webm'
      ? /** @type {Uint8Array<ArrayBuffer>} */ (withDuration(new Uint8Array(await blob.arrayBuffer()), ms)) : blob;
    const file = new File([bytes], `recording.${EXTENSION[media]}`, { type: media });
    if (countOf(box) >= maxOf(box)) clear();
    pending(box).push({ file, meta: { duration_ms: Math.min(ms, 3_600_000) }, shown: sound });
    syncForm(box);
    draw();
    buttons();
    clockLine.hidden = true;
    meter.hidden = true;
    const items = pending(box);
    const n = countOf(box);
    say(box, words(atLimit ? 'attach.rec.atLimit' : 'attach.rec.done', { words: itemWords(items.length - 1, n),
      limit: clock(limit) }));
    /** @type {HTMLElement|null} */ (list.querySelector('[data-attach-new]:last-child [data-action="play"]'))?.focus();
  }

  /** Every attachment of the field goes (Record again, when one fits). */
  function clear() {
    if (list.querySelector('[data-attach-kept]')) box.dataset.removed = 'true';
    list.querySelectorAll('[data-attach-kept]').forEach((el) => el.remove());
    pending(box).length = 0;
  }

  /** "Recording 2 of 2, 0:05": the n-th new recording, counted after the kept ones. */
  function itemWords(i, count = countOf(box)) {
    const kept = list.querySelectorAll('[data-attach-kept]').length;
    const item = pending(box)[i];
    return words('attach.recording.words', { n: kept + i + 1, count, length: clock(item.meta.duration_ms) });
  }

  function stopPlaying() {
    playing?.stop();
    playing = null;
  }

  /** Play a new recording back through Web Audio, or stop it. @param {number} i @param {HTMLButtonElement} b */
  async function play(i, b) {
    const item = pending(box)[i];
    if (b.dataset.playing) {
      stopPlaying();
      return;
    }
    stopPlaying();
    try {
      item.shown ??= await decode(item.file);
    } catch {
      fail(box, words('attach.rec.cannotPlay'));
      return;
    }
    const ctx = /** @type {AudioContext} */ (audioContext);
    await ctx.resume();
    const source = ctx.createBufferSource();
    source.buffer = item.shown;
    source.connect(ctx.destination);
    const label = b.firstChild;
    const done = () => {
      delete b.dataset.playing;
      if (label) label.textContent = words('attach.rec.play');
      b.setAttribute('aria-pressed', 'false');
    };
    source.addEventListener('ended', () => { if (playing?.stop === halt) playing = null; done(); });
    const halt = () => { try { source.stop(); } catch { /* already ended */ } done(); };
    playing = { stop: halt };
    b.dataset.playing = 'true';
    if (label) label.textContent = words('attach.rec.stopPlaying');
    b.setAttribute('aria-pressed', 'true');
    source.start();
  }

  /** The new recordings in the list, after the kept ones: each its words, Play back and Remove. */
  function draw() {
    list.querySelectorAll('[data-attach-new]').forEach((el) => el.remove());
    pending(box).forEach((item, i) => {
      const li = document.createElement('li');
      li.className = 'attach-item';
      li.dataset.attachNew = String(i);
      const what = itemWords(i);
      const text = document.createElement('span');
      text.className = 'attach-words';
      text.textContent = what;
      const playButton = button(words('attach.rec.play'), { action: 'play', extra: what });
      playButton.setAttribute('aria-pressed', 'false');
      playButton.addEventListener('click', () => { play(i, playButton); });
      const remove = button(words('attach.remove'), { action: 'remove', extra: what, kind: 'secondary danger' });
      remove.addEventListener('click', () => {
        stopPlaying();
        pending(box).splice(i, 1);
        syncForm(box);
        draw();
        buttons();
        say(box, words('attach.removed'));
        record.focus();
      });
      const unsaved = document.createElement('span');
      unsaved.className = 'hint attach-unsaved';
      unsaved.textContent = words('attach.notSaved');
      li.append(text, unsaved, playButton, remove);
      list.append(li);
    });
  }

  record.addEventListener('click', () => { start(); });
  stop.addEventListener('click', () => { finish(); });
  box.addEventListener('attach:changed', () => { buttons(); });
  box.addEventListener('attach:put-back', (event) => {
    const items = /** @type {CustomEvent} */ (event).detail;
    pending(box).push(...items);
    syncForm(box);
    draw();
    buttons();
  });
  // The screen goes away while recording (a swap): the microphone is let go.
  const gone = new MutationObserver(() => {
    if (!box.isConnected) {
      gone.disconnect();
      if (session) {
        window.clearInterval(session.timer);
        session.stream.getTracks().forEach((track) => track.stop());
        session = null;
      }
      stopPlaying();
    }
  });
  gone.observe(document.body, { childList: true, subtree: true });
  buttons();
}
