/**
 * The relaxation timer's rules, pure: a session is a list of timed steps. A plain meditation timer is one step with
 * bells at intervals; progressive muscle relaxation (PMR) is a sequence of muscle groups, each tensed and then
 * released for so many seconds. Sequences are data (`PMR_SEQUENCES`, or one written as text: `sequenceFromText`),
 * so one can be chosen, or written, and the page (page/timer.js) only asks here where a session is.
 */

/** @typedef {{group: string, tense: number, release: number}} Group a muscle group (its words: a catalogue key or text) */
/** @typedef {{kind: 'tense'|'release'|'sit', group: string, start: number, ms: number}} Step */

/** The built-in PMR sequences: each group's words are the catalogue key `timer.group.<group>`. */
export const PMR_SEQUENCES = Object.freeze({
  full: Object.freeze(['hands', 'arms', 'shoulders', 'face', 'neck', 'chest', 'stomach', 'legs', 'feet']
    .map((group) => ({ group, tense: 5, release: 15 }))),
  short: Object.freeze(['hands', 'shoulders', 'face', 'stomach', 'feet'].map((group) => ({ group, tense: 5, release: 10 }))),
});

/** The longest a written sequence may be, and the bounds of its timings in seconds. */
export const MAX_GROUPS = 30;
export const TENSE_SECONDS = Object.freeze([1, 30]);
export const RELEASE_SECONDS = Object.freeze([1, 120]);

/**
 * A sequence written as text, one group a line: "Shoulders: 5, 15" (its words, then seconds tensed and released);
 * null when a line does not read so or a timing is out of bounds. Lines left empty are skipped.
 * @param {string} text @returns {Group[]|null}
 */
export function sequenceFromText(text) {
  const groups = [];
  for (const line of String(text ?? '').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^(.{1,80}?)\s*:\s*(\d{1,3})\s*,\s*(\d{1,3})\s*$/.exec(line.trim());
    if (!m) return null;
    const [tense, release] = [Number(m[2]), Number(m[3])];
    if (tense < TENSE_SECONDS[0] || tense > TENSE_SECONDS[1] || release < RELEASE_SECONDS[0]
      || release > RELEASE_SECONDS[1]) return null;
    groups.push({ group: m[1], tense, release });
  }
  return groups.length && groups.length <= MAX_GROUPS ? groups : null;
}

/** A PMR session's steps: each group tensed, then released. @param {Group[]} groups @returns {Step[]} */
export function pmrSteps(groups) {
  const steps = [];
  let start = 0;
  for (const g of groups) {
    steps.push({ kind: 'tense', group: g.group, start, ms: g.tense * 1000 });
    start += g.tense * 1000;
    steps.push({ kind: 'release', group: g.group, start, ms: g.release * 1000 });
    start += g.release * 1000;
  }
  return steps;
}

/** A plain timer: one step of sitting for `minutes`. @param {number} minutes @returns {Step[]} */
export const sitSteps = (minutes) => [{ kind: 'sit', group: '', start: 0, ms: minutes * 60000 }];

/** A session's length in ms. @param {Step[]} steps */
export const totalMs = (steps) => (steps.length ? steps[steps.length - 1].start + steps[steps.length - 1].ms : 0);

/**
 * Where a session is `elapsed` ms in: the step's index (steps.length once over), seconds left in it, and whether an
 * interval bell falls in (before, elapsed] (every `bellEvery` ms from the start, never at the end itself).
 * @param {Step[]} steps @param {number} elapsed @param {number} [before] @param {number} [bellEvery] 0: no bells
 */
export function timerAt(steps, elapsed, before = elapsed, bellEvery = 0) {
  const end = totalMs(steps);
  let index = steps.findIndex((s) => elapsed < s.start + s.ms);
  if (index < 0) index = steps.length;
  const step = steps[index];
  const secondsLeft = step ? Math.ceil((step.start + step.ms - elapsed) / 1000) : 0;
  const bell = bellEvery > 0 && Math.floor(Math.min(elapsed, end - 1) / bellEvery) > Math.floor(before / bellEvery);
  return { index, secondsLeft, bell, over: elapsed >= end };
}
