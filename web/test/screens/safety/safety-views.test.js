// The safety plan's and the crisis page's fragments (js/screens/safety/safety-views.js): Call and Text links for every
// number, and with no lines configured no number at all.
import '../../messages-setup.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_LINES } from '../../../js/core/crisis-lines.js';
import { crisisPage, planPage } from '../../../js/screens/safety/safety-views.js';
import { currentPlan } from '../../../js/screens/safety/safety-routes.js';

const kind = { id: 'safety-plan', label: 'Safety plan', description: 'd', fields: ['warning_signs', 'helpers',
  'professionals', 'reasons'].map((id) => ({ id, label: id, type: 'list', required: false, merge: 'list' })) };
const LINES = { region: 'Testland', emergency: '112', lines: [{ name: 'Night Line', phone: '+49 800 111 0 111',
  sms: '85258', url: null, hours: null, about: null }] };
const hrefs = (markup, scheme) => [...String(markup).matchAll(new RegExp(`href="(${scheme}:[^"]*)"`, 'g'))].map((m) => m[1]);

test('with nothing configured: the local emergency number in words, no number, no tel: or sms: link', () => {
  for (const markup of [crisisPage(NO_LINES), planPage({ plan: null, kind, crisis: NO_LINES })]) {
    const text = String(markup).replace(/<[^>]*>/g, ' ').replace(/&[#\w]+;/g, ' ');
    assert.match(text, /call your local emergency number/);
    assert.deepEqual([hrefs(markup, 'tel'), hrefs(markup, 'sms')], [[], []]);
    assert.doesNotMatch(text, /\d/);
  }
});

test('configured: the emergency number and each line as Call and Text links; the page has no navigation', () => {
  const markup = String(crisisPage(LINES));
  assert.deepEqual(hrefs(markup, 'tel'), ['tel:112', 'tel:+498001110111']);
  assert.deepEqual(hrefs(markup, 'sms'), ['sms:85258']);
  assert.ok(!markup.includes('<nav'));
});

test('the plan: the numbers of the people and services steps are Call and Text links, other steps stay text', () => {
  const plan = { id: 'p1', kind: 'safety-plan', createdAt: '2026-03-10T10:00:00Z', updatedAt: '2026-03-10T10:00:00Z',
    fields: { warning_signs: ['Room 101'], helpers: ['Alex 07700 900123'], reasons: ['My sister'] } };
  const contacts = [{ from: 'dr.lee', name: 'Practice', phone: '020 7946 0999', sms: null, hours: null, note: null }];
  const markup = String(planPage({ plan, kind, crisis: LINES, contacts }));
  assert.deepEqual(hrefs(markup, 'tel'), ['tel:112', 'tel:07700900123', 'tel:02079460999', 'tel:+498001110111']);
  assert.deepEqual(hrefs(markup, 'sms'), ['sms:07700900123', 'sms:85258']);
  assert.match(markup, /Practice \(added by dr\.lee\)/);
  assert.match(markup, /href="\/app\/safety-plan" class="safety-link" aria-current="page"/);
});

test('the plan is the most recently changed entry of its kind', () => {
  const e = (id, kindId, updatedAt) => ({ id, kind: kindId, updatedAt });
  assert.equal(currentPlan([e('a', 'safety-plan', '2026-01-01T00:00:00Z'), e('b', 'journal', '2026-05-01T00:00:00Z'),
    e('c', 'safety-plan', '2026-02-01T00:00:00Z')]).id, 'c');
  assert.equal(currentPlan([e('b', 'journal', '2026-05-01T00:00:00Z')]), null);
});
