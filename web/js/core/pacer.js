/**
 * The breathing pacer's rules, pure: the techniques (each a cycle of timed phases), custom timings checked, and where
 * a session is after so many milliseconds (which phase, how far into it, how big the shape is). The page
 * (page/pacer.js) only asks here and draws; the worker renders the screen (screens/practice/).
 */

/**
 * One phase of a breath: `in` grows the shape to `to` (0.5 empty .. 1 full), `out` shrinks it, `hold` keeps it
 * full and `rest` keeps it empty; `seconds` long.
 * @typedef {{step: 'in'|'hold'|'out'|'rest', seconds: number, to?: number}} Phase
 */
/**
 * A technique: its id (the pacer's), the relaxation entry's `technique` option it is saved as, and its cycle.
 * @typedef {{id: string, technique: string, phases: Phase[]}} Technique
 */

/** The smallest and largest the shape gets (a scale of its full size). */
export const EMPTY = 0.5;
export const FULL = 1;

/**
 * The techniques offered, in order; `custom` takes its timings from the person (customPhases).
 * @type {readonly Technique[]}
 */
export const TECHNIQUES = Object.freeze([
  // Six breaths a minute: five seconds in, five out.
  { id: 'paced', technique: 'paced-breathing', phases: [{ step: 'in', seconds: 5 }, { step: 'out', seconds: 5 }] },
  { id: 'box', technique: 'box-breathing', phases: [{ step: 'in', seconds: 4 }, { step: 'hold', seconds: 4 },
    { step: 'out', seconds: 4 }, { step: 'rest', seconds: 4 }] },
  { id: 'fourSevenEight', technique: 'breathing-4-7-8', phases: [{ step: 'in', seconds: 4 }, { step: 'hold', seconds: 7 },
    { step: 'out', seconds: 8 }] },
  // The physiological sigh: a breath in, a short second one on top, then a long breath out.
  { id: 'sigh', technique: 'physiological-sigh', phases: [{ step: 'in', seconds: 2, to: 0.85 },
    { step: 'in', seconds: 1 }, { step: 'out', seconds: 6 }] },
]);

/** The ids of every technique the pacer offers, custom last. */
export const TECHNIQUE_IDS = Object.freeze([...TECHNIQUES.map((t) => t.id), 'custom']);

/** The bounds of custom timings, in whole seconds: breathing in and out at least 1, holds may be 0. */
export const CUSTOM_LIMITS = Object.freeze({ in: [1, 20], hold: [0, 20], out: [1, 20], rest: [0, 20] });

/** The session lengths offered, in minutes; the first is the shortest a relaxation entry records. */
export const DURATIONS = Object.freeze([1, 2, 3, 5, 10, 15, 20, 30]);

/**
 * Custom timings as a cycle, or null when one is not a whole number within CUSTOM_LIMITS. Holds of 0 are left out.
 * @param {{in: unknown, hold: unknown, out: unknown, rest: unknown}} timings @returns {Phase[]|null}
 */
export function customPhases(timings) {
  /** @type {Phase[]} */
  const phases = [];
  for (const step of /** @type {const} */ (['in', 'hold', 'out', 'rest'])) {
    const value = Number(timings?.[step]);
    const [low, high] = CUSTOM_LIMITS[step];
    if (!Number.isInteger(value) || value < low || value > high) return null;
    if (value) phases.push({ step, seconds: value });
  }
  return phases;
}

/** The technique with this id, or null. @param {string} id @returns {Technique|null} */
export const techniqueById = (id) => TECHNIQUES.find((t) => t.id === id) ?? null;

/**
 * The pacer's address for an assigned practice (an assignment's `practice`: docs/ASSIGNMENTS.md), which its screen
 * reads back (screens/practice/ pacerChoice): the technique, custom timings and minutes; `then` where it ends.
 * @param {{technique?: string, timings?: {in: number, hold: number, out: number, rest: number}, minutes?: number}|null|undefined} practice
 * @param {string} then
 */
export function pacerAddress(practice, then) {
  const params = new URLSearchParams();
  if (practice?.technique) params.set('technique', practice.technique);
  if (practice?.technique === 'custom' && practice.timings) {
    for (const step of /** @type {const} */ (['in', 'hold', 'out', 'rest'])) params.set(step, String(practice.timings[step]));
  }
  if (practice?.minutes) params.set('minutes', String(practice.minutes));
  params.set('then', then);
  return `/app/practice?${params}`;
}

/** One cycle's length in milliseconds. @param {Phase[]} phases */
export const cycleMs = (phases) => phases.reduce((sum, p) => sum + p.seconds * 1000, 0);

/** Breaths a minute of a cycle (for the screen: "6 breaths a minute"). @param {Phase[]} phases */
export const breathsPerMinute = (phases) => Math.round((60000 / cycleMs(phases)) * 10) / 10;

/**
 * Where a session is `elapsed` milliseconds in: the phase (its index in the cycle and what it is), the cycle count
 * (from 0), whole seconds left in the phase (what the counting text says), and the shape's size.
 * @param {Phase[]} phases @param {number} elapsed
 * @returns {{index: number, phase: Phase, cycle: number, into: number, secondsLeft: number, size: number}}
 */
export function positionAt(phases, elapsed) {
  const length = cycleMs(phases);
  const at = Math.max(0, elapsed);
  const cycle = Math.floor(at / length);
  let into = at - cycle * length;
  let size = startSize(phases);
  for (let index = 0; index < phases.length; index += 1) {
    const phase = phases[index];
    const ms = phase.seconds * 1000;
    const to = targetSize(phase, size);
    if (into < ms) {
      const share = into / ms;
      return { index, phase, cycle, into, secondsLeft: Math.ceil((ms - into) / 1000),
        size: size + (to - size) * ease(share) };
    }
    into -= ms;
    size = to;
  }
  // Not reached (into < length), but a total function is easier to trust.
  return { index: 0, phase: phases[0], cycle: cycle + 1, into: 0, secondsLeft: phases[0].seconds, size };
}

/** The size a phase ends at, from the size it starts at. @param {Phase} phase @param {number} from */
function targetSize(phase, from) {
  if (phase.step === 'in') return phase.to ?? FULL;
  if (phase.step === 'out') return phase.to ?? EMPTY;
  return from;
}

/** A cycle starts where it ends: empty, unless it has no breath out (then full). @param {Phase[]} phases */
function startSize(phases) {
  let size = EMPTY;
  for (const phase of phases) size = targetSize(phase, size);
  return size;
}

/** Gentle in and out of each breath (a half cosine), so the shape never jerks. @param {number} share 0..1 */
const ease = (share) => (1 - Math.cos(Math.PI * share)) / 2;

/**
 * The minutes a session practised, as the relaxation entry records them: whole minutes, rounded, at least 1.
 * @param {number} activeMs the time it ran, pauses left out
 */
export const practisedMinutes = (activeMs) => Math.max(1, Math.round(activeMs / 60000));
