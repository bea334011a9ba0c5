/**
 * The safety plan and the crisis page, pure: fragments from what the routes read. Written for someone who may be
 * in distress: one column, short words, the ways to reach a person first and large, every number a `tel:` link with
 * a `sms:` one beside it. The crisis page shows only the operator's public lines: no entry, nothing of the account.
 */

import { instantWords } from '../../core/dates.js';
import { phoneParts, smsHref, telHref } from '../../core/crisis-lines.js';
import { draftAttributes, DRAFT_FORMS } from '../drafts.js';
import { fieldErrorText } from '../fields.js';
import { icon } from '../icons.js';
import { ENTRY_FORM_ID, FORM_ERROR_ID, entryFields } from '../entry/entry-views.js';
import { link, nav } from '../components.js';
import { html, t, tt } from '../views.js';

/** The plan's kind in kinds.json, and the address of its screens. */
export const PLAN_KIND = 'safety-plan';
export const PLAN_PATH = '/app/safety-plan';
export const CRISIS_PATH = '/app/crisis';

// The steps whose lines are people and services to reach: their numbers become Call and Text links.
const REACH = new Set(['helpers', 'professionals']);

/** A number kept on one line: a number broken in two is misread. */
const whole = (number) => html`<span class="number">${number}</span>`;

/** Call and Text for one number, large: the number is said in both, so each link names what it does. */
const reachLinks = (number, sms = number) => html`<p class="reach">
  <a class="button call" href="${telHref(number)}">${icon('phone')}<span>${tt('safety.call', { number: whole(number) })
  }</span></a>${sms ? html`<a class="button secondary" href="${smsHref(sms)}">${icon('message')}<span>${
    tt('safety.text', { number: whole(sms) })}</span></a>` : null}</p>`;

/** One line of a step about people or services: its words, then Call and Text for each number in it. */
function reachLine(line) {
  const numbers = phoneParts(line).flatMap((p) => ('phone' in p ? [p.phone] : []));
  return html`<li class="contact"><p class="contact-words">${line}</p>${numbers.map((n) => reachLinks(n))}</li>`;
}

/**
 * The emergency line at the top of both screens: the operator's emergency number as a Call link, or, with none
 * configured, the words "call your local emergency number" and no number at all.
 * @param {import('../../core/crisis-lines.js').CrisisLines} crisis
 */
function emergency(crisis) {
  return crisis.emergency
    ? html`<p>${t('crisis.emergencyNumber', { number: crisis.emergency })}</p>${reachLinks(crisis.emergency, null)}`
    : html`<p>${t('crisis.emergencyLocal')}</p>`;
}

/** The operator's crisis lines, each with its hours, who it is for and its ways in. */
function crisisLines(crisis, level) {
  if (!crisis.lines.length) return html`<p class="hint">${t('crisis.noneConfigured')}</p>`;
  const heading = (text) => (level === 'h3' ? html`<h3>${text}</h3>` : html`<p class="line-name">${text}</p>`);
  return html`<ul class="crisis-lines">${crisis.lines.map((l) => html`<li class="crisis-line">
    ${heading(l.name)}${l.about ? html`<p>${l.about}</p>` : null}${l.hours ? html`<p class="meta">${l.hours}</p>` : null}
    ${l.phone ? reachLinks(l.phone, l.sms) : l.sms ? html`<p class="reach"><a class="button" href="${smsHref(l.sms)}">${
      icon('message')}<span>${tt('safety.text', { number: whole(l.sms) })}</span></a></p>` : null}
    ${l.url ? html`<p><a href="${l.url}" rel="noopener noreferrer" target="_blank">${t('crisis.website',
      { name: l.name })}</a></p>` : null}
  </li>`)}</ul>`;
}

/** "Need help now?": the emergency line and the way to the crisis lines, at the top of the plan. */
const helpNow = (crisis) => html`<aside class="help-now" aria-labelledby="help-now-title">
  <h2 id="help-now-title">${t('safety.helpNow.heading')}</h2>${emergency(crisis)}
  <p>${link(CRISIS_PATH, html`${icon('safety')}${t('safety.helpNow.lines')}`, 'button secondary')}</p></aside>`;

/**
 * The plan: the seven steps in order, each with what the person wrote (or that nothing is there yet); under the
 * services, the therapist's out-of-hours contacts and the operator's crisis lines. `plan` null: none written yet.
 * @param {{plan: {id: string, fields: Record<string, any>, updatedAt: string}|null,
 *   kind: import('../../core/kinds.js').Kind, crisis: import('../../core/crisis-lines.js').CrisisLines,
 *   contacts?: {from: string, name: string, phone: string|null, sms: string|null, hours: string|null,
 *   note: string|null}[], panel?: unknown, notice?: unknown}} data
 */
export function planPage({ plan, kind, crisis, contacts = [], panel = null, notice = null }) {
  const fields = plan?.fields ?? {};
  return html`${nav('safety', 'client', t('safety.title'))}<article class="safety-plan" aria-labelledby="plan-title">
    <h1 id="plan-title" tabindex="-1">${t('safety.heading')}</h1>${notice}
    <p class="lead">${plan ? t('safety.lead') : t('safety.leadEmpty')}</p>
    ${plan ? null : html`<p class="actions">${link(`${PLAN_PATH}/edit`, t('safety.start'), 'button')}</p>`}
    ${helpNow(crisis)}
    <ol class="plan-steps">${kind.fields.map((f) => {
      const lines = Array.isArray(fields[f.id]) ? fields[f.id] : [];
      const extra = f.id === 'professionals' ? services(contacts, crisis) : null;
      return html`<li class="plan-step"><h2>${f.label}</h2>${lines.length
        ? html`<ul class="plan-lines">${lines.map((line) => (REACH.has(f.id) ? reachLine(line)
          : html`<li>${line}</li>`))}</ul>`
        : extra ? null : html`<p class="hint">${t('safety.stepEmpty')}</p>`}${extra}</li>`;
    })}</ol>
    ${plan ? html`<p class="meta">${tt('safety.updated', { when: html`<time datetime="${plan.updatedAt}">${
      instantWords(plan.updatedAt) ?? plan.updatedAt}</time>` })}</p>
    <div class="actions">${link(`${PLAN_PATH}/edit`, t('safety.edit'), 'button')}
      <button type="button" class="secondary" data-print>${t('safety.print')}</button></div>${panel}` : null}
  </article>`;
}

/** Under the services step: the therapist's out-of-hours contacts, then the crisis lines. */
function services(contacts, crisis) {
  return html`${contacts.length ? html`<ul class="plan-lines">${contacts.map((c) => html`<li class="contact">
    <p class="contact-words">${t('safety.contactFrom', { name: c.name, from: c.from })}${c.hours
      ? html`<br><span class="meta">${c.hours}</span>` : null}</p>${c.note ? html`<p>${c.note}</p>` : null}
    ${c.phone ? reachLinks(c.phone, c.sms) : null}</li>`)}</ul>` : null}
    <h3 class="crisis-heading">${t('safety.crisisLines')}</h3>${crisisLines(crisis, 'p')}`;
}

/**
 * The plan's form, new or edit: every step a list, one line each. `error` a FieldError, `plan` the one edited, `from`
 * the version an edit was made from (sent back with a refused save; else the plan's own: entry-routes.js does the
 * same, so an edit made on an older version is merged into the newer one, not written over it). `alert`: a problem
 * that is no field's, in the error's place (a save the full device refused: storage-views.js quotaAlert).
 * @param {{kind: import('../../core/kinds.js').Kind, plan?: {id: string, version?: number}|null,
 *   values?: Record<string, any>, error?: any, alert?: unknown, from?: number|null}} data
 */
export function planForm({ kind, plan = null, values = {}, error = null, alert = null, from = null }) {
  const draft = plan
    ? draftAttributes({ form: DRAFT_FORMS.entryEdit(plan.id), path: `${PLAN_PATH}/edit`, kind: kind.id, what: 'edit',
      base: plan.version ?? '' })
    : draftAttributes({ form: DRAFT_FORMS.entryNew(kind.id), path: `${PLAN_PATH}/edit`, kind: kind.id, what: 'new' });
  return html`${nav('safety', 'client', t('safety.title'))}<section class="safety-plan" aria-labelledby="plan-form-title">
    <h1 id="plan-form-title" tabindex="-1">${plan ? t('safety.editHeading') : t('safety.newHeading')}</h1>
    <p class="lead">${t('safety.formLead')}</p>
    ${error ? html`<p class="error" role="alert" id="${FORM_ERROR_ID}">${fieldErrorText(error, kind.fields)}</p>`
    : alert}
    <form class="entry-form plan-form" id="${ENTRY_FORM_ID}" action="${PLAN_PATH}" method="post" hx-post="${PLAN_PATH}"
      hx-target="#view" novalidate autocomplete="off" ${draft}>
      ${plan ? html`<input type="hidden" name="from" value="${String(from ?? plan.version ?? '')}">` : null}
      ${entryFields(kind, values, error)}
      <div class="actions"><button type="submit">${t('safety.save')}</button>
      ${link(PLAN_PATH, t('safety.cancel'), 'button secondary')}</div>
    </form></section>`;
}

/** "Saved.": the step's notice on the plan after a save. */
export const savedNotice = () => html`<p class="notice" role="status">${t('safety.saved')}</p>`;

/**
 * The crisis page: the emergency line and the operator's crisis lines, nothing else. No navigation into the app
 * and nothing of the account: it is what the lock screen links to, and must show with the keys locked away.
 * @param {import('../../core/crisis-lines.js').CrisisLines} crisis
 */
export function crisisPage(crisis) {
  return html`<article class="crisis" aria-labelledby="crisis-title">
    <h1 id="crisis-title" tabindex="-1">${t('crisis.heading')}</h1>
    <p class="lead">${crisis.region ? t('crisis.leadRegion', { region: crisis.region }) : t('crisis.lead')}</p>
    <section class="help-now" aria-labelledby="crisis-now">
      <h2 id="crisis-now">${t('crisis.now')}</h2>${emergency(crisis)}</section>
    ${crisis.lines.length ? html`<section aria-labelledby="crisis-lines-title"><h2 id="crisis-lines-title">${
      t('crisis.linesHeading')}</h2>${crisisLines(crisis, 'h3')}</section>` : html`<p>${t('crisis.noneConfigured')}</p>`}
    <p class="actions"><a class="button secondary" href="/app">${t('crisis.back')}</a></p>
  </article>`;
}
