/** The therapist's side of the plan contact: the form that adds, changes or takes off a client's out-of-hours contact. */

import { link, nav } from '../components.js';
import { html, t } from '../views.js';

const FIELDS = [
  { id: 'name', key: 'safety.contact.name', hint: 'safety.contact.nameHint', required: true },
  { id: 'phone', key: 'safety.contact.phone', hint: 'safety.contact.phoneHint', required: true, tel: true },
  { id: 'sms', key: 'safety.contact.sms', hint: 'safety.contact.smsHint', tel: true },
  { id: 'hours', key: 'safety.contact.hours', hint: 'safety.contact.hoursHint' },
  { id: 'note', key: 'safety.contact.note', hint: 'safety.contact.noteHint', long: true },
];

/** A refused field in words, by its label: never the validator's own text, which names the field by its id. */
function errorText(error, values) {
  const f = FIELDS.find((x) => x.id === error?.fieldId);
  if (!f) return t('safety.contact.invalid.other', { label: t('safety.contact.name') });
  const label = t(f.key);
  if (f.required && !String(values[f.id] ?? '').trim()) return t('safety.contact.invalid.missing', { label });
  return t(f.tel ? 'safety.contact.invalid.phone' : 'safety.contact.invalid.other', { label });
}

function field(f, value, error) {
  const invalid = error?.fieldId === f.id;
  const described = [invalid ? 'contact-error' : null, `c-${f.id}-hint`].filter(Boolean).join(' ');
  const common = html`id="c-${f.id}" name="${f.id}" aria-describedby="${described}"${
    invalid ? html` aria-invalid="true"` : null}`;
  return html`<div class="field${invalid ? ' invalid' : ''}"><label for="c-${f.id}">${t(f.key)}${f.required ? null
    : html` <span class="optional">${t('entry.optional')}</span>`}</label>
    <p class="hint" id="c-${f.id}-hint">${t(f.hint)}</p>
    ${f.long ? html`<textarea ${common} rows="3">${value ?? ''}</textarea>`
      : html`<input type="${f.tel ? 'tel' : 'text'}" ${common} value="${value ?? ''}">`}</div>`;
}

/**
 * The form for one client: what their plan shows now (`current`), the fields, and, once there is one, taking it off.
 * @param {{peer: {userId: string, handle: string}, values?: Record<string, any>, current?: Record<string, any>|null,
 *   error?: any, notice?: 'saved'|'removed'|null}} data
 */
export function contactForm({ peer, values = {}, current = null, error = null, notice = null }) {
  const uid = peer.userId;
  const action = `/app/clients/${uid}/plan-contact`;
  return html`${nav('clients', 'therapist', t('safety.contact.title'))}<section aria-labelledby="contact-title">
    <h1 id="contact-title">${t('safety.contact.heading', { handle: peer.handle })}</h1>
    ${notice ? html`<p class="notice" role="status">${t(`safety.contact.${notice}`, { handle: peer.handle })}</p>`
      : null}
    <p class="lead">${t('safety.contact.lead', { handle: peer.handle })}</p>
    ${error ? html`<p class="error" role="alert" id="contact-error">${errorText(error, values)}</p>` : null}
    <form class="entry-form" action="${action}" method="post" hx-post="${action}" hx-target="#view" novalidate
      autocomplete="off">
      ${FIELDS.map((f) => field(f, values[f.id], error))}
      <div class="actions"><button type="submit">${current ? t('safety.contact.update') : t('safety.contact.add')}</button>
        ${link(`/app/clients/${uid}`, t('safety.contact.back', { handle: peer.handle }), 'button secondary')}</div>
    </form>
    ${current ? html`<form action="${action}/withdraw" method="post" hx-post="${action}/withdraw" hx-target="#view">
      <button type="submit" class="danger secondary">${t('safety.contact.remove')}</button></form>` : null}
  </section>`;
}

/** A client whose key is blocked (changed, or not the invitation's): nothing can be shared until it is compared. */
export const contactBlockedPage = (peer) => html`${nav('clients', 'therapist')}<section aria-labelledby="contact-title">
  <h1 id="contact-title">${t('safety.contact.blockedHeading')}</h1><p>${t('safety.contact.blocked', {
    handle: peer.handle })}</p>${link(`/app/link/${peer.userId}`, t('share.panel.compare'), 'button')}</section>`;

export const contactNotFoundPage = () => html`${nav('clients', 'therapist')}<section aria-labelledby="contact-title">
  <h1 id="contact-title">${t('entry.notFound.heading')}</h1>${link('/app/clients', t('nav.clients'), 'button')}</section>`;
