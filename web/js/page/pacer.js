/**
 * The breathing pacer on the page (docs/WEB.md "Guided practice"): the worker renders the screen with every word
 * (screens/practice/practice-views.js); this module runs a session on it. A shape grows and shrinks with each breath
 * (a count only, under prefers-reduced-motion), an optional chime (Web Audio, synthesised) and vibration mark each
 * phase change, the screen stays on (Screen Wake Lock) while it runs, and it pauses and resumes. At the end it fills
 * in the relaxation entry's form to review and save: the minutes practised (pauses left out) and the technique.
 * Nothing is stored here and nothing goes to the network.
 */

import { customPhases, positionAt, practisedMinutes, techniqueById } from '../core/pacer.js';
import { pageWords } from './words.js';

const TICK_MS = 100;
const CHIME_HZ = 528;

/**
 * A soft chime, synthesised: a sine at 528 Hz with a quick rise and a long exponential fade (1.5 s).
 * @param {BaseAudioContext} audio @param {number} [at] when, on the context's clock
 */
export function chime(audio, at = audio.currentTime) {
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.type = 'sine';
  tone.frequency.value = CHIME_HZ;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.3, at + 0.03);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.5);
  tone.connect(gain).connect(audio.destination);
  tone.start(at);
  tone.stop(at + 1.6);
}

/** "4:05": minutes and seconds left, for the line under a guide (the pacer's and the timer's). @param {number} ms */
export const clock = (ms) => {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/**
 * Run `start` on each screen of the view matching `selector` (the pacer's, the timer's); a session ends (`leave`,
 * its wake lock released) when its screen goes.
 * @param {HTMLElement} view @param {string} selector
 * @param {(root: HTMLElement) => {root: HTMLElement, leave: () => void}} start
 */
export function watchGuide(view, selector, start) {
  /** @type {{root: HTMLElement, leave: () => void}|null} */
  let running = null;
  const wire = () => {
    if (running && !view.contains(running.root)) {
      running.leave();
      running = null;
    }
    const root = /** @type {HTMLElement|null} */ (view.querySelector(`${selector}:not([data-wired])`));
    if (!root) return;
    root.dataset.wired = 'true';
    running = start(root);
  };
  document.addEventListener('htmx:after:swap', wire);
  wire();
}

/** Run the pacer on every pacer screen the view shows. @param {HTMLElement} view */
export const watchPacer = (view) => watchGuide(view, '[data-pacer]', runPacer);

/** @param {HTMLElement} root the screen's [data-pacer] */
function runPacer(root) {
  const $ = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-pacer-${name}]`));
  const setup = /** @type {HTMLFormElement} */ ($('setup'));
  const run = $('run');
  const done = $('done');
  const shape = $('shape');
  const phaseText = $('phase');
  const count = $('count');
  const left = $('left');
  const pauseButton = $('pause');
  const error = $('error');
  const reduced = matchMedia('(prefers-reduced-motion: reduce)').matches;

  /** @type {import('./words.js').Words|null} the page's words, loaded before a session can start */
  let words = null;
  pageWords().then((w) => { words = w; }).catch(() => {});

  /** @type {{phases: import('../core/pacer.js').Phase[], technique: string, total: number, active: number,
   *   last: number, timer: ReturnType<typeof setInterval>|null, phase: string, audio: AudioContext|null,
   *   vibrate: boolean, lock: any, said: string}|null} */
  let session = null;

  const customBox = $('custom');
  setup.addEventListener('change', () => {
    customBox.hidden = new FormData(setup).get('technique') !== 'custom';
  });

  async function lockScreen() {
    if (!session || session.lock || !('wakeLock' in navigator)) return;
    try {
      const lock = await navigator.wakeLock.request('screen');
      if (session?.timer) session.lock = lock;
      else lock.release().catch(() => {}); // paused or ended while it was being granted
    } catch {
      // Refused (battery saver, a hidden page): the guide works all the same, the screen may dim.
    }
  }

  function unlockScreen() {
    const lock = session?.lock;
    if (session) session.lock = null;
    lock?.release().catch(() => {});
  }

  // A hidden page loses its wake lock; back in view while running, it is asked for again.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && session?.timer && root.isConnected) lockScreen();
  });

  /** A message of the catalogue in use (the key itself, should the catalogue have failed to load). */
  const say = (key, params = {}) => (words ? words(key, params) : key);

  function draw() {
    const at = positionAt(session.phases, session.active);
    const key = `${at.cycle}:${at.index}`;
    if (key !== session.phase) {
      if (session.phase) signal();
      session.phase = key;
      phaseText.textContent = say(`pacer.step.${at.phase.step}`); // a polite live region: each phase is said once
    }
    count.textContent = String(at.secondsLeft);
    if (!reduced) shape.style.transform = `scale(${at.size.toFixed(3)})`;
    const remaining = clock(session.total - session.active);
    if (remaining !== session.said) {
      session.said = remaining;
      left.textContent = say('pacer.left', { time: remaining });
    }
  }

  function signal() {
    if (session.audio) chime(session.audio);
    if (session.vibrate) navigator.vibrate?.(80);
  }

  function tick() {
    const now = performance.now();
    session.active += now - session.last;
    session.last = now;
    if (session.active >= session.total) {
      session.active = session.total;
      finish();
      return;
    }
    draw();
  }

  function go() {
    session.last = performance.now();
    session.timer = setInterval(tick, TICK_MS);
    pauseButton.textContent = say('pacer.pause');
    lockScreen();
    draw();
  }

  function halt() {
    if (session?.timer) clearInterval(session.timer);
    if (session) session.timer = null;
    unlockScreen();
  }

  function start() {
    const data = new FormData(setup);
    const id = String(data.get('technique') ?? 'paced');
    const phases = id === 'custom'
      ? customPhases({ in: data.get('c.in'), hold: data.get('c.hold'), out: data.get('c.out'), rest: data.get('c.rest') })
      : techniqueById(id)?.phases;
    if (!phases) {
      error.hidden = false;
      error.focus();
      return;
    }
    error.hidden = true;
    let audio = null;
    if (data.get('chime') === 'yes' && 'AudioContext' in window) {
      // Made and resumed in the tap that starts, so that browsers allow it to sound.
      audio = new AudioContext();
      audio.resume().catch(() => {});
    }
    session = { phases, technique: id === 'custom' ? 'other' : techniqueById(id).technique,
      total: Number(data.get('minutes')) * 60000, active: 0, last: 0, timer: null, phase: '', audio,
      vibrate: data.get('vibrate') === 'yes', lock: null, said: '' };
    setup.hidden = true;
    done.hidden = true;
    run.hidden = false;
    run.dataset.motion = reduced ? 'reduced' : 'full';
    $('stage').hidden = reduced;
    go();
    pauseButton.focus();
  }

  function finish() {
    halt();
    session.audio?.close().catch(() => {});
    const minutes = practisedMinutes(session.active);
    /** @type {HTMLInputElement} */ ($('minutes')).value = String(minutes);
    /** @type {HTMLInputElement} */ ($('technique')).value = session.technique;
    run.hidden = true;
    done.hidden = false;
    $('summary').textContent = say('pacer.done.summary', { count: minutes });
    $('done-title').focus();
  }

  pauseButton.addEventListener('click', () => {
    if (!session) return;
    if (session.timer) {
      halt();
      pauseButton.textContent = say('pacer.resume');
      phaseText.textContent = say('pacer.paused');
      session.phase = '';
    } else {
      go();
    }
  });
  $('stop').addEventListener('click', () => { if (session) finish(); });
  $('again').addEventListener('click', () => {
    done.hidden = true;
    setup.hidden = false;
    session = null;
    /** @type {HTMLElement} */ (setup.querySelector('button[type="submit"]')).focus();
  });
  setup.addEventListener('submit', async (event) => {
    event.preventDefault();
    words ??= await pageWords().catch(() => null);
    start();
  });

  return {
    root,
    /** The screen went away: stop without offering anything. */
    leave() {
      halt();
      session?.audio?.close().catch(() => {});
      session = null;
    },
  };
}
