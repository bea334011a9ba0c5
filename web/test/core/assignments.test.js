// Assignment documents, worksheets and templates as sync/core/assignments.py has them: the shared vectors, then edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import {
  buildAssignment, buildFromTemplate, templateTable, validateAssignment, validatePlanContact, validateResponse,
  validateWorksheet, validateWorksheetAnswers, weeklyMinutes, worksheetKind,
} from '../../js/core/assignments.js';
import { FieldError, kindTable } from '../../js/core/kinds.js';
import { encodeDocument } from '../../js/core/records.js';
import { TECHNIQUE_IDS } from '../../js/core/pacer.js';

const read = async (path) => JSON.parse(await readFile(new URL(path, import.meta.url), 'utf8'));
const kinds = kindTable(await read('../../../sync/kinds.json'));
const templates = templateTable(await read('../../../sync/templates.json'));
const vectors = (await read('../../../tests/vectors/recurrence.json')).documents;
const SECRET = 'my-private-words-XYZZY';
const NOW = '2026-03-23T10:00:00Z';
const BUILD = { start: '2026-03-23', timeZone: 'Europe/Berlin', now: NOW, nextSession: '2026-03-30T17:00' };
const validators = { assignment: (d) => validateAssignment(d, kinds), response: validateResponse, worksheet: validateWorksheet,
  'plan-contact': validatePlanContact };

test('every template of the library is in the vectors, and every one builds what Python builds', () => {
  assert.deepEqual(vectors.built.map((c) => c.template), [...templates.keys()]);
  for (const c of vectors.built) {
    const b = c.build;
    const doc = buildFromTemplate(templates, kinds, c.template,
      { start: b.start, timeZone: b.time_zone, now: b.now, nextSession: b.next_session });
    assert.deepEqual(doc, c.expect, c.template);
    // Byte for byte: the therapist's browser and the Python client seal the same plaintext.
    assert.equal(Buffer.from(encodeDocument(doc)).toString(), JSON.stringify(sortKeys(c.expect)));
    assert.deepEqual(validateAssignment(c.expect, kinds), c.expect);
  }
});

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

test('a practice builds the v2 document Python builds, byte for byte, for every technique the pacer offers', () => {
  for (const c of vectors.practices) {
    const b = c.build;
    const doc = buildFromTemplate(templates, kinds, c.template,
      { start: b.start, timeZone: b.time_zone, now: b.now, nextSession: b.next_session, practice: c.practice });
    assert.deepEqual(doc, c.expect, c.practice.technique);
    assert.equal(doc.v, 2);
    assert.equal(Buffer.from(encodeDocument(doc)).toString(), JSON.stringify(sortKeys(c.expect)));
    assert.deepEqual(validateAssignment(c.expect, kinds), c.expect);
  }
  assert.deepEqual(vectors.practices.map((c) => c.practice.technique).filter((id, i, all) => all.indexOf(id) === i),
    [...TECHNIQUE_IDS], 'the vectors cover each of the pacer\'s techniques, in its order');
});

for (const c of vectors.invalid) {
  test(`refused: ${c.validate} ${c.field}`, () => {
    assert.throws(() => validators[c.validate](c.doc), (e) => e instanceof FieldError && e.fieldId === c.field);
  });
}

test('worksheet and response normalisation match the vectors', () => {
  assert.deepEqual(validateWorksheet(vectors.worksheet.input), vectors.worksheet.expect);
  for (const c of vectors.responses) assert.deepEqual(validateResponse(c.doc), c.expect);
  for (const c of vectors.plan_contacts) {
    assert.deepEqual(validatePlanContact(c.doc), c.expect);
    assert.deepEqual(validatePlanContact(c.expect), c.expect);
  }
});

test('the library reads warmly and never says homework', () => {
  assert.ok(templates.size >= 15);
  for (const t of templates.values()) {
    const words = `${t.title} ${t.summary} ${t.instructions}`.toLowerCase();
    assert.ok(!words.includes('homework'), t.id);
    assert.ok(t.kind === 'worksheet' || kinds.has(t.kind), t.id);
  }
});

test('a breathing practice from the template is the document Python writes, hash and all', () => {
  const doc = buildFromTemplate(templates, kinds, 'breathing-practice', BUILD);
  assert.equal(doc.target_minutes_per_week, 70);
  assert.deepEqual(doc.schedule, { recurrence: { freq: 'until_next_session', start: '2026-03-23',
    next_session: '2026-03-30T17:00', time_zone: 'Europe/Berlin' } });
  const python = vectors.built.find((c) => c.template === 'breathing-practice').expect;
  const hash = (d) => createHash('sha256').update(encodeDocument(d)).digest('hex');
  assert.equal(hash(doc), hash(python));
});

test('template dates follow the start; until-next-session needs the session', () => {
  const once = buildFromTemplate(templates, kinds, 'try-something-new',
    { start: '2026-03-27', timeZone: 'America/New_York', now: NOW });
  assert.deepEqual(once.schedule, { due: '2026-04-03', recurrence: { freq: 'once', start: '2026-03-27',
    until: '2026-04-03', time_zone: 'America/New_York' } });
  assert.equal(buildFromTemplate(templates, kinds, 'muscle-relaxation', BUILD).schedule.recurrence.until, '2026-04-05');
  assert.throws(() => buildFromTemplate(templates, kinds, 'mood-daily', { ...BUILD, nextSession: null }),
    (e) => e.fieldId === 'schedule.recurrence.next_session');
  assert.throws(() => buildFromTemplate(templates, kinds, 'nope', BUILD), (e) => e.code === 'unknown_template');
});

test('a therapist tailors wording and target; a target needs minutes', () => {
  const doc = buildFromTemplate(templates, kinds, 'breathing-practice',
    { ...BUILD, title: 'Before work', instructions: 'Five minutes\r\nat the door.', targetMinutesPerWeek: 35 });
  assert.equal(doc.instructions, 'Five minutes\nat the door.');
  assert.equal(doc.target_minutes_per_week, 35);
  assert.throws(() => validateAssignment({ ...doc, kind: 'journal' }, kinds), (e) => e.fieldId === 'target_minutes_per_week');
});

test('errors never echo what was written', () => {
  const doc = buildFromTemplate(templates, kinds, 'breathing-practice', BUILD);
  for (const bad of [{ ...doc, title: SECRET.repeat(20) }, { ...doc, title: `${SECRET}\n${SECRET}` },
    { ...doc, instructions: SECRET.repeat(400) }, { ...doc, [SECRET.repeat(3)]: 1 }]) {
    assert.throws(() => validateAssignment(bad, kinds), (e) => e instanceof FieldError && !e.message.includes(SECRET));
  }
});

const SHEET = { fields: [
  { id: 'what', label: 'What I noticed', type: 'short_text', required: true },
  { id: 'ease', label: 'How easy', type: 'scale', constraints: { min: 1, max: 5 } },
  { id: 'who', label: 'Who', type: 'multi_choice', constraints: { options: ['A friend', 'Family'] } },
  { id: 'ideas', label: 'Ideas', type: 'list', constraints: { max_items: 3 } },
  { id: 'time', label: 'Time', type: 'minutes' },
] };

test('worksheet answers validate like entry fields', () => {
  assert.equal(worksheetKind(SHEET, 'Notice').fields.length, 5);
  assert.deepEqual(validateWorksheetAnswers(SHEET, { what: ' heron ', ease: 4, who: ['o2', 'o1', 'o2'],
    ideas: ['walk', ' ', 'tea'], time: 25 }), { what: 'heron', ease: 4, who: ['o1', 'o2'], ideas: ['walk', 'tea'], time: 25 });
  for (const [bad, fieldId] of [[{}, 'what'], [{ what: 'x', ease: 0 }, 'ease'], [{ what: 'x', ideas: ['a', 'b', 'c', 'd'] }, 'ideas'],
    [{ what: 'x', time: 241 }, 'time'], [{ what: 'x', mystery: 1 }, 'mystery']]) {
    assert.throws(() => validateWorksheetAnswers(SHEET, bad), (e) => e instanceof FieldError && e.fieldId === fieldId);
  }
});

test('a custom worksheet assignment, weekly on chosen days', () => {
  const doc = buildAssignment({ kind: 'worksheet', title: 'Noticing walk', instructions: '', worksheet: SHEET,
    recurrence: { freq: 'weekly', days: ['sat', 'wed'], start: '2026-03-23', time_zone: 'America/New_York' }, now: NOW,
    targetMinutesPerWeek: 60 }, kinds);
  assert.equal(doc.template, null);
  assert.deepEqual(doc.schedule.recurrence.days, ['wed', 'sat']);
  assert.deepEqual(doc.worksheet, validateWorksheet(SHEET));
});

test('responses: done, not done with a reason, feedback; and only on dates the assignment falls on', () => {
  const assignment = buildFromTemplate(templates, kinds, 'breathing-practice', BUILD);
  const base = { v: 1, type: 'assignment-response', assignment_id: '0b3f6a52-1c7e-4f0e-8a51-5d2f8e6c4b21',
    occurrence: '2026-03-24', status: 'done', minutes: 12, created_at: '2026-03-24T19:00:00Z',
    updated_at: '2026-03-24T19:00:00Z' };
  assert.deepEqual(validateResponse({ ...base, feedback: { rating: 'tedious', comment: 'same every day' } }, assignment).feedback,
    { rating: 'tedious', comment: 'same every day' });
  assert.throws(() => validateResponse({ ...base, occurrence: '2026-03-30' }, assignment), (e) => e.fieldId === 'occurrence');
  const answers = [['2026-03-23', 10], ['2026-03-24', 15], ['2026-03-29', 20], ['2026-03-30', 99]]
    .map(([occurrence, minutes]) => validateResponse({ ...base, occurrence, minutes }));
  answers.push(validateResponse({ ...base, occurrence: '2026-03-25', status: 'not_done', minutes: 5 }));
  assert.deepEqual(weeklyMinutes(assignment, answers, '2026-03-23'), { week_start: '2026-03-23', minutes: 45, target: 70 });
});
