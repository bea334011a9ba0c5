/**
 * The guided practice screens: the breathing pacer at /app/practice. It runs on the page (page/pacer.js) and stores
 * nothing itself: at the end it opens a relaxation entry's form filled in, which the person reviews and saves.
 */

import { TECHNIQUE_IDS, DURATIONS, customPhases } from '../../core/pacer.js';
import { htmlResponse } from '../views.js';
import { pacerPage, timerPage } from './practice-views.js';

/**
 * What an address may choose in advance (an assignment's link): a technique, minutes, custom timings; anything
 * else is left at the screen's own defaults.
 * @param {URLSearchParams} params
 */
export function pacerChoice(params) {
  /** @type {Parameters<typeof pacerPage>[0]} */
  const chosen = {};
  const technique = params.get('technique') ?? '';
  if (TECHNIQUE_IDS.includes(technique)) chosen.technique = technique;
  const minutes = Number(params.get('minutes'));
  if (DURATIONS.includes(minutes)) chosen.minutes = minutes;
  const custom = { in: params.get('in'), hold: params.get('hold') ?? '0', out: params.get('out'),
    rest: params.get('rest') ?? '0' };
  if (customPhases(custom)) {
    chosen.custom = { in: Number(custom.in), hold: Number(custom.hold), out: Number(custom.out), rest: Number(custom.rest) };
  }
  return chosen;
}

// Where a practice done for an activity's day goes at the end: that day's answer form, and nothing else.
const DAY_FORM = /^\/app\/todo\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/\d{4}-\d{2}-\d{2}$/;

/** The form a practice's end fills in: an activity's day (`then`), else a new relaxation entry. @param {URLSearchParams} params */
export const practiceEnd = (params) => (DAY_FORM.test(params.get('then') ?? '') ? params.get('then') : null);

/** @param {import('../../engine/router.js').Router} router @param {import('../features.js').App} app */
export function register(router, { load }) {
  router.add('GET', '/app/practice', async ({ url }) => {
    await load(); // unlocked, like every screen of the app
    return htmlResponse(pacerPage({ ...pacerChoice(url.searchParams), then: practiceEnd(url.searchParams) }));
  });
  router.add('GET', '/app/practice/timer', async ({ url }) => {
    await load();
    const mode = url.searchParams.get('mode') === 'pmr' ? 'pmr' : 'sit';
    const sequence = ['full', 'short', 'own'].includes(url.searchParams.get('sequence') ?? '')
      ? url.searchParams.get('sequence') : 'full';
    return htmlResponse(timerPage({ mode, sequence, then: practiceEnd(url.searchParams) }));
  });
  return router;
}
