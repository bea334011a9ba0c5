/**
 * The breathing pacer's screen: choose a technique (or custom timings), a length, a chime and a vibration; the
 * running guide (a shape that grows and shrinks, or a count under reduced motion); and the end, which offers a
 * relaxation entry to review and save. The page drives it (page/pacer.js): this fragment holds every word it shows.
 */

import { CUSTOM_LIMITS, DURATIONS, TECHNIQUES, breathsPerMinute, customPhases } from '../../core/pacer.js';
import { PMR_SEQUENCES } from '../../core/timer.js';
import { nav } from '../components.js';
import { html, t } from '../views.js';

/** A technique's timings in words ("4 in · 7 hold · 8 out"), from its phases. @param {import('../../core/pacer.js').Phase[]} phases */
const timings = (phases) => phases.map((p) => t(`pacer.timing.${p.step}`, { seconds: p.seconds })).join(' · ');

/**
 * An assigned practice in words (docs/ASSIGNMENTS.md, "A practice's timings"): "4-7-8 breathing, 2 minutes a
 * session", "Custom timings (4 in · 7 hold · 8 out)"; null for none.
 * @param {{technique: string, timings?: {in: number, hold: number, out: number, rest: number}, minutes?: number}|null|undefined} practice
 */
export function practiceWords(practice) {
  if (!practice) return null;
  const own = practice.technique === 'custom' && practice.timings ? customPhases(practice.timings) : null;
  const technique = own ? t('assignPractice.summary.custom', { timings: timings(own) })
    : t(`pacer.technique.${practice.technique}`);
  return practice.minutes ? t('assignPractice.summary.minutes', { practice: technique, count: practice.minutes })
    : technique;
}

/** One technique to choose. */
function choice(id, checked, hint) {
  return html`<div class="choice"><input type="radio" name="technique" id="pacer-t-${id}" value="${id}"${
    checked ? html` checked` : null} aria-describedby="pacer-t-${id}-hint"><label for="pacer-t-${id}">${
    t(`pacer.technique.${id}`)}</label><p class="hint" id="pacer-t-${id}-hint">${hint}</p></div>`;
}

/** A custom timing's box. */
function timingBox(step, value) {
  const [min, max] = CUSTOM_LIMITS[step];
  return html`<div class="field"><label for="pacer-c-${step}">${t(`pacer.custom.${step}`)}</label>
    <input type="number" inputmode="numeric" id="pacer-c-${step}" name="c.${step}" min="${min}" max="${max}" step="1"
      value="${value}"></div>`;
}

/**
 * The pacer. `chosen`: a technique (and for custom, its timings) and minutes to start from (an assignment's).
 * `then`: the activity's day form the end fills in (else a new relaxation entry's).
 * @param {{technique?: string, minutes?: number, custom?: {in: number, hold: number, out: number, rest: number},
 *   then?: string|null}} [chosen]
 */
export function pacerPage({ technique = 'paced', minutes = 5, custom = { in: 4, hold: 0, out: 6, rest: 0 },
  then = null } = {}) {
  return html`${nav('', 'client', t('pacer.heading'))}<section aria-labelledby="pacer-title" class="pacer" data-pacer>
    <h1 id="pacer-title">${t('pacer.heading')}</h1>
    <form class="pacer-setup" data-pacer-setup novalidate>
      <p class="lead">${t('pacer.lead')}</p>
      <fieldset class="field"><legend>${t('pacer.technique')}</legend>
        ${TECHNIQUES.map((tech) => choice(tech.id, tech.id === technique,
          `${timings(tech.phases)} · ${t('pacer.perMinute', { count: breathsPerMinute(tech.phases) })}`))}
        ${choice('custom', technique === 'custom', t('pacer.technique.custom.hint'))}
      </fieldset>
      <fieldset class="field pacer-custom" data-pacer-custom${technique === 'custom' ? null : html` hidden`}><legend>${t('pacer.custom')}</legend>
        <p class="hint">${t('pacer.custom.hint')}</p>
        <div class="pacer-timings">${['in', 'hold', 'out', 'rest'].map((s) => timingBox(s, custom[s]))}</div>
      </fieldset>
      <div class="field"><label for="pacer-minutes">${t('pacer.minutes')}</label>
        <select id="pacer-minutes" name="minutes">${DURATIONS.map((m) => html`<option value="${m}"${
          m === minutes ? html` selected` : null}>${t('pacer.minutes.option', { count: m })}</option>`)}</select></div>
      <fieldset class="field"><legend>${t('pacer.signals')}</legend>
        <div class="choice"><input type="checkbox" id="pacer-chime" name="chime" value="yes"><label
          for="pacer-chime">${t('pacer.chime')}</label></div>
        <div class="choice"><input type="checkbox" id="pacer-vibrate" name="vibrate" value="yes"><label
          for="pacer-vibrate">${t('pacer.vibrate')}</label></div>
      </fieldset>
      <p class="error" role="alert" id="pacer-error" data-pacer-error hidden>${t('pacer.custom.invalid')}</p>
      <div class="actions"><button type="submit">${t('pacer.start')}</button></div>
    </form>
    <div class="pacer-run" data-pacer-run hidden>
      <div class="pacer-stage" aria-hidden="true" data-pacer-stage><div class="pacer-shape" data-pacer-shape></div></div>
      <p class="pacer-phase" data-pacer-phase aria-live="polite"></p>
      <p class="pacer-count" data-pacer-count aria-hidden="true"></p>
      <p class="pacer-left" data-pacer-left></p>
      <div class="actions"><button type="button" data-pacer-pause>${t('pacer.pause')}</button>
        <button type="button" class="secondary" data-pacer-stop>${t('pacer.stop')}</button></div>
    </div>
    ${practiceDone('pacer', then)}
  </section>`;
}

/** The interval bells offered by the quiet timer, in minutes (0: none). */
const BELLS = [0, 1, 2, 5, 10];

/** The end of a practice: what was done, and the relaxation entry's form to review and save (filled in by the page). */
const practiceDone = (prefix, then = null) => html`<div class="pacer-done" data-${prefix}-done hidden>
  <h2 id="${prefix}-done-title" tabindex="-1" data-${prefix}-done-title>${t('pacer.done.heading')}</h2>
  <p data-${prefix}-summary></p>
  <p class="hint">${t('pacer.done.hint')}</p>
  <form action="${then ?? '/app/entries/new'}" method="get" hx-get="${then ?? '/app/entries/new'}" hx-target="#view"
    hx-push-url="true">${then ? null : html`<input type="hidden" name="kind" value="relaxation">`}
    <input type="hidden" name="f.minutes" value="" data-${prefix}-minutes>
    <input type="hidden" name="f.technique" value="" data-${prefix}-technique>
    <div class="actions"><button type="submit">${t('pacer.done.review')}</button>
      <button type="button" class="secondary" data-${prefix}-again>${t('pacer.done.again')}</button></div>
  </form></div>`;

/**
 * The relaxation timer: a quiet timer with interval bells and a gentle end bell, or progressive muscle relaxation
 * led step by step (a built-in sequence, or one written here: "Shoulders: 5, 15" a line).
 * @param {{mode?: string, sequence?: string, then?: string|null}} [chosen]
 */
export function timerPage({ mode = 'sit', sequence = 'full', then = null } = {}) {
  const radio = (name, value, checked, label, hint = null) => html`<div class="choice"><input type="radio"
    name="${name}" id="timer-${name}-${value}" value="${value}"${checked ? html` checked` : null}${
    hint ? html` aria-describedby="timer-${name}-${value}-hint"` : null}><label for="timer-${name}-${value}">${label}</label>${
    hint ? html`<p class="hint" id="timer-${name}-${value}-hint">${hint}</p>` : null}</div>`;
  return html`${nav('', 'client', t('timer.heading'))}<section aria-labelledby="timer-title" class="pacer" data-timer>
    <h1 id="timer-title">${t('timer.heading')}</h1>
    <form class="pacer-setup" data-timer-setup novalidate>
      <p class="lead">${t('timer.lead')}</p>
      <fieldset class="field"><legend>${t('timer.mode')}</legend>
        ${radio('mode', 'sit', mode === 'sit', t('timer.mode.sit'), t('timer.mode.sit.hint'))}
        ${radio('mode', 'pmr', mode === 'pmr', t('timer.mode.pmr'), t('timer.mode.pmr.hint'))}
      </fieldset>
      <div data-timer-for="sit"${mode === 'sit' ? null : html` hidden`}>
        <div class="field"><label for="timer-minutes">${t('pacer.minutes')}</label>
          <select id="timer-minutes" name="minutes">${DURATIONS.map((m) => html`<option value="${m}"${
            m === 10 ? html` selected` : null}>${t('pacer.minutes.option', { count: m })}</option>`)}</select></div>
        <div class="field"><label for="timer-bells">${t('timer.bells')}</label>
          <select id="timer-bells" name="bells">${BELLS.map((m) => html`<option value="${m}">${
            m ? t('timer.bells.every', { count: m }) : t('timer.bells.none')}</option>`)}</select></div>
      </div>
      <fieldset class="field" data-timer-for="pmr"${mode === 'pmr' ? null : html` hidden`}><legend>${t('timer.sequence')}</legend>
        ${Object.entries(PMR_SEQUENCES).map(([id, groups]) => radio('sequence', id, sequence === id,
          t(`timer.sequence.${id}`), t('timer.sequence.groups', { count: groups.length })))}
        ${radio('sequence', 'own', sequence === 'own', t('timer.sequence.own'))}
        <div class="field"><label for="timer-own">${t('timer.sequence.ownLabel')}</label>
          <p class="hint" id="timer-own-hint">${t('timer.sequence.ownHint')}</p>
          <textarea id="timer-own" name="own" rows="5" aria-describedby="timer-own-hint"></textarea></div>
      </fieldset>
      <div class="choice"><input type="checkbox" id="timer-chime" name="chime" value="yes" checked><label
        for="timer-chime">${t('timer.chime')}</label></div>
      <p class="error" role="alert" id="timer-error" data-timer-error hidden>${t('timer.sequence.invalid')}</p>
      <div class="actions"><button type="submit">${t('pacer.start')}</button></div>
    </form>
    <div class="pacer-run" data-timer-run hidden>
      <p class="pacer-phase" data-timer-prompt aria-live="polite"></p>
      <p class="pacer-count" data-timer-count aria-hidden="true"></p>
      <p class="pacer-left" data-timer-left></p>
      <div class="actions"><button type="button" data-timer-pause>${t('pacer.pause')}</button>
        <button type="button" class="secondary" data-timer-stop>${t('pacer.stop')}</button></div>
    </div>
    ${practiceDone('timer', then)}
  </section>`;
}
