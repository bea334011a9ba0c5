/**
 * The relaxation timer on the page (docs/WEB.md "Guided practice"): a quiet timer with interval bells and a gentle
 * end bell, or progressive muscle relaxation said step by step (tense, then release, each muscle group), over the
 * pure rules of core/timer.js. Like the pacer (page/pacer.js), it keeps the screen on while it runs, pauses and
 * resumes, and at the end fills in the relaxation entry's form to review and save.
 */

import { PMR_SEQUENCES, pmrSteps, sequenceFromText, sitSteps, timerAt, totalMs } from '../core/timer.js';
import { practisedMinutes } from '../core/pacer.js';
import { chime, clock, watchGuide } from './pacer.js';
import { pageWords } from './words.js';

const TICK_MS = 200;

/** Run the timer on every timer screen the view shows. @param {HTMLElement} view */
export const watchTimers = (view) => watchGuide(view, '[data-timer]', runTimer);

/** @param {HTMLElement} root */
function runTimer(root) {
  const $ = (name) => /** @type {HTMLElement} */ (root.querySelector(`[data-timer-${name}]`));
  const setup = /** @type {HTMLFormElement} */ ($('setup'));
  const prompt = $('prompt');
  const pauseButton = $('pause');
  /** @type {import('./words.js').Words|null} */
  let words = null;
  pageWords().then((w) => { words = w; }).catch(() => {});
  const say = (key, params = {}) => (words ? words(key, params) : key);

  /** @type {any} */
  let session = null;

  setup.addEventListener('change', () => {
    const mode = new FormData(setup).get('mode');
    for (const part of /** @type {NodeListOf<HTMLElement>} */ (setup.querySelectorAll('[data-timer-for]'))) {
      part.hidden = part.dataset.timerFor !== mode;
    }
  });

  async function lockScreen() {
    if (!session || session.lock || !('wakeLock' in navigator)) return;
    try {
      const lock = await navigator.wakeLock.request('screen');
      if (session?.timer) session.lock = lock;
      else lock.release().catch(() => {});
    } catch {
      // refused: the timer works all the same
    }
  }
  const unlockScreen = () => {
    session?.lock?.release().catch(() => {});
    if (session) session.lock = null;
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && session?.timer && root.isConnected) lockScreen();
  });

  /** The words of a muscle group: a built-in one's from the catalogue, a written one's as written. */
  const groupWords = (group) => (session.builtIn ? say(`timer.group.${group}`) : group);

  function draw(before) {
    const at = timerAt(session.steps, session.active, before, session.bellEvery);
    if (at.bell && session.audio) chime(session.audio);
    if (at.over) {
      finish();
      return;
    }
    const step = session.steps[at.index];
    if (at.index !== session.index) {
      if (session.index >= 0 && session.audio && step.kind !== 'sit') chime(session.audio);
      session.index = at.index;
      prompt.textContent = step.kind === 'sit' ? say('timer.sit')
        : say(`timer.${step.kind}`, { group: groupWords(step.group) });
    }
    $('count').textContent = step.kind === 'sit' ? '' : String(at.secondsLeft);
    $('left').textContent = say('pacer.left', { time: clock(totalMs(session.steps) - session.active) });
  }

  function tick() {
    const now = performance.now();
    const before = session.active;
    session.active = Math.min(session.active + now - session.last, totalMs(session.steps));
    session.last = now;
    draw(before);
  }

  function go() {
    session.last = performance.now();
    session.timer = setInterval(tick, TICK_MS);
    pauseButton.textContent = say('pacer.pause');
    lockScreen();
    draw(session.active);
  }

  function halt() {
    if (session?.timer) clearInterval(session.timer);
    if (session) session.timer = null;
    unlockScreen();
  }

  function start() {
    const data = new FormData(setup);
    const pmr = data.get('mode') === 'pmr';
    let steps;
    let builtIn = true;
    if (pmr) {
      const chosen = String(data.get('sequence') ?? 'full');
      const groups = chosen === 'own' ? sequenceFromText(String(data.get('own') ?? '')) : PMR_SEQUENCES[chosen];
      builtIn = chosen !== 'own';
      if (!groups) {
        $('error').hidden = false;
        $('error').focus();
        return;
      }
      steps = pmrSteps(groups);
    } else {
      steps = sitSteps(Number(data.get('minutes')) || 10);
    }
    $('error').hidden = true;
    let audio = null;
    if (data.get('chime') === 'yes' && 'AudioContext' in window) {
      audio = new AudioContext();
      audio.resume().catch(() => {});
    }
    session = { steps, builtIn, active: 0, last: 0, timer: null, index: -1, audio, lock: null,
      bellEvery: pmr ? 0 : Number(data.get('bells')) * 60000, technique: pmr ? 'muscle-relaxation' : 'meditation' };
    setup.hidden = true;
    $('done').hidden = true;
    $('run').hidden = false;
    go();
    pauseButton.focus();
  }

  function finish() {
    halt();
    if (session.audio) {
      chime(session.audio); // the gentle end bell, then the sound is let go once it has faded
      const audio = session.audio;
      setTimeout(() => audio.close().catch(() => {}), 2000);
    }
    const minutes = practisedMinutes(session.active);
    /** @type {HTMLInputElement} */ ($('minutes')).value = String(minutes);
    /** @type {HTMLInputElement} */ ($('technique')).value = session.technique;
    $('run').hidden = true;
    $('done').hidden = false;
    $('summary').textContent = say('pacer.done.summary', { count: minutes });
    $('done-title').focus();
  }

  pauseButton.addEventListener('click', () => {
    if (!session) return;
    if (session.timer) {
      halt();
      pauseButton.textContent = say('pacer.resume');
      prompt.textContent = say('pacer.paused');
      session.index = -1;
    } else {
      go();
    }
  });
  $('stop').addEventListener('click', () => { if (session?.timer !== undefined) finish(); });
  $('again').addEventListener('click', () => {
    $('done').hidden = true;
    setup.hidden = false;
    session = null;
  });
  setup.addEventListener('submit', async (event) => {
    event.preventDefault();
    words ??= await pageWords().catch(() => null);
    start();
  });

  return {
    root,
    leave() {
      halt();
      session?.audio?.close().catch(() => {});
      session = null;
    },
  };
}
