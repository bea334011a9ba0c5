/**
 * The Progress screen's charts, in the frame every chart shares (../chart-frame.js): each an <svg role="img"> with its
 * title and a description in words, then a <table> of the same numbers. The calendar is a table itself. Every word
 * from the catalogue (progress.* keys); colours from css/app.css classes, for light and dark, and never alone.
 */

import { calendarWords } from '../../core/dates.js';
import { H, PAD, W, figure, round, yAxis } from '../chart-frame.js';
import { dayIn, moodLevel } from '../today/today.js';
import { html, t } from '../views.js';

/**
 * @typedef {import('./progress.js').MoodDay} MoodDay
 */

const plotW = W - PAD.left - PAD.right;
const plotH = H - PAD.top - PAD.bottom;
/** The centre of slot `i` of `n` across the plot. */
const slotX = (i, n) => round(PAD.left + (plotW / n) * (i + 0.5));
const yOf = (value, top) => round(PAD.top + plotH - (value / top) * plotH);

/** @type {Intl.DateTimeFormatOptions} */
const LONG_DAY = { weekday: 'long', day: 'numeric', month: 'long' };
/** @type {Intl.DateTimeFormatOptions} */
const SHORT_DATE = { day: 'numeric', month: 'short' };
export const dayText = (date) => calendarWords(date, LONG_DAY) ?? date;
const shortDate = (date) => calendarWords(date, SHORT_DATE) ?? date;
const number = (n) => (n === null || n === undefined ? '–' : String(n));

/** A chart's table, folded under "Show the numbers" so a phone screen stays a page of charts (open, it is all there). */
const numbers = (table) => html`<details class="chart-numbers"><summary>${t('progress.numbers')}</summary>${table}
  </details>`;

/** A mood score in words and numbers: "Good, 7 out of 10". */
export const moodWords = (score) => t('progress.mood.value', { mood: t(`today.mood.${moodLevel(score).name}`),
  score });

/** An x-axis label under slot `i` of `n`. */
const xLabel = (i, n, text) => html`<text class="axis-label" x="${slotX(i, n)}" y="${H - PAD.bottom + 14}"
  text-anchor="middle" font-size="10">${text}</text>`;

/**
 * A line through each day's average mood (0-10); a day without a check-in breaks the line. `label(day, i)` names the
 * days under the plot (or null to leave one out). Null when no day has a check-in (the page invites one instead).
 * @param {MoodDay[]} days @param {{id: string, title: string, label: (day: string, i: number) => string|null}} options
 */
export function moodLine(days, { id, title, label }) {
  const rated = days.filter((d) => d.mean !== null);
  if (!rated.length) return null;
  const n = days.length;
  const segments = [];
  let run = [];
  days.forEach((d, i) => {
    if (d.mean === null) {
      if (run.length > 1) segments.push(run);
      run = [];
    } else run.push(`${slotX(i, n)},${yOf(d.mean, 10)}`);
  });
  if (run.length > 1) segments.push(run);
  const means = rated.map((d) => d.mean);
  const desc = t('progress.mood.desc', { days: rated.length, total: n, low: Math.min(...means),
    high: Math.max(...means), latest: rated.at(-1).mean, last: dayText(rated.at(-1).day) });
  const body = html`${yAxis(10)}
    ${segments.map((points) => html`<polyline class="line" fill="none" points="${points.join(' ')}"></polyline>`)}
    ${days.map((d, i) => (d.mean === null ? null : html`<circle class="point" cx="${slotX(i, n)}" cy="${yOf(d.mean, 10)}"
      r="4"><title>${dayText(d.day)}: ${moodWords(d.mean)}</title></circle>`))}
    ${days.map((d, i) => {
      const text = label(d.day, i);
      return text ? xLabel(i, n, text) : null;
    })}`;
  const table = html`<table class="chart-data"><caption>${t('progress.table', { title })}</caption>
    <thead><tr><th scope="col">${t('progress.col.day')}</th><th scope="col">${t('progress.col.mood')}</th>
      <th scope="col">${t('progress.col.checkIns')}</th></tr></thead>
    <tbody>${rated.map((d) => html`<tr><th scope="row"><time datetime="${d.day}">${dayText(d.day)}</time></th>
      <td>${d.mean}</td><td>${d.count}</td></tr>`)}</tbody></table>`;
  return figure(id, title, desc, body, numbers(table));
}

/** The weekday names, Monday first, short and long, in the language in use (2024-01-01 was a Monday). */
const weekdays = () => Array.from({ length: 7 }, (_, i) => {
  const day = `2024-01-0${i + 1}`;
  return { short: calendarWords(day, { weekday: 'short' }), long: calendarWords(day, { weekday: 'long' }) };
});

/**
 * A month as a calendar: a table, weeks as rows from Monday, each day with its average mood in numbers (the colour
 * only repeats them) and, for a screen reader, in words.
 * @param {string} month YYYY-MM @param {(string|null)[][]} weeks calendarWeeks @param {Map<string, MoodDay>} byDay
 * @param {{monthName: string, today: string}} options
 */
export function moodCalendar(month, weeks, byDay, { monthName, today }) {
  const names = weekdays();
  return html`<table class="mood-calendar"><caption>${t('progress.calendar.caption', { month: monthName })}</caption>
    <thead><tr>${names.map((n) => html`<th scope="col"><abbr title="${n.long}">${n.short}</abbr></th>`)}</tr></thead>
    <tbody>${weeks.map((week) => html`<tr>${week.map((day) => {
      if (!day) return html`<td class="cal-empty"></td>`;
      const mood = byDay.get(day);
      const rated = mood && mood.mean !== null;
      const date = String(Number(day.slice(8)));
      return html`<td class="cal-day${rated ? ` mood-level-${moodLevel(mood.mean).level}` : ''}${
        day === today ? ' cal-today' : ''}"><time datetime="${day}">${date}</time>${rated
        ? html`<span class="cal-score" aria-hidden="true">${mood.mean}</span><span class="visually-hidden">${
          moodWords(mood.mean)}</span>` : null}</td>`;
    })}</tr>`)}</tbody></table>`;
}

/**
 * Practice minutes per week as bars, each week's aim (the targets the therapist set) as a dashed mark over it.
 * Null when nothing was practised and no aim was set.
 * @param {{week_start: string, minutes: number, target: number|null}[]} weeks @param {{id?: string}} [options]
 */
export function practiceChart(weeks, { id = 'practice-chart' } = {}) {
  const aims = weeks.some((w) => w.target !== null);
  if (!weeks.some((w) => w.minutes > 0) && !aims) return null;
  const title = t('progress.practice.chart');
  const top = Math.max(...weeks.map((w) => Math.max(w.minutes, w.target ?? 0)), 1);
  const scale = top * 1.15;
  const n = weeks.length;
  const barW = round(Math.min((plotW / n) * 0.6, 28));
  const bars = weeks.map((w, i) => {
    const x = round(slotX(i, n) - barW / 2);
    return html`<rect class="bar" x="${x}" y="${yOf(w.minutes, scale)}" width="${barW}"
      height="${round(PAD.top + plotH - yOf(w.minutes, scale))}"><title>${t('progress.practice.bar',
        { week: shortDate(w.week_start), minutes: w.minutes })}</title></rect>
      ${w.target === null ? null : html`<line class="target" x1="${round(x - 4)}" x2="${round(x + barW + 4)}"
        y1="${yOf(w.target, scale)}" y2="${yOf(w.target, scale)}"></line>`}
      ${i % 2 === (n - 1) % 2 ? xLabel(i, n, shortDate(w.week_start)) : null}`;
  });
  const total = weeks.reduce((sum, w) => sum + w.minutes, 0);
  const desc = t('progress.practice.desc', { weeks: n, total, latest: weeks.at(-1).minutes,
    aim: weeks.at(-1).target ?? -1 });
  const table = html`<table class="chart-data"><caption>${t('progress.table', { title })}</caption>
    <thead><tr><th scope="col">${t('progress.col.weekOf')}</th><th scope="col">${t('progress.col.minutes')}</th>${
      aims ? html`<th scope="col">${t('progress.col.aim')}</th>` : null}</tr></thead>
    <tbody>${weeks.map((w) => html`<tr><th scope="row"><time datetime="${w.week_start}">${dayText(w.week_start)}</time></th>
      <td>${w.minutes}</td>${aims ? html`<td>${number(w.target)}</td>` : null}</tr>`)}</tbody></table>`;
  return figure(id, title, desc, html`${yAxis(Math.round(top), scale)}${bars}`, numbers(table));
}

/**
 * Activities per week: the days done, not done, and gone by without an answer, as three bars side by side (each with
 * its own mark and a legend in words). Null when no activity had a day yet.
 * @param {{week_start: string, done: number, notDone: number, open: number}[]} weeks
 * @param {{id?: string}} [options]
 */
export function activitiesChart(weeks, { id = 'activities-chart' } = {}) {
  if (!weeks.some((w) => w.done + w.notDone + w.open > 0)) return null;
  const title = t('progress.activities.chart');
  // Days are whole: the axis's middle line must be one too.
  const most = Math.max(...weeks.map((w) => Math.max(w.done, w.notDone, w.open)), 1);
  const top = Math.max(2, Math.ceil(most / 2) * 2);
  const scale = top * 1.15;
  const n = weeks.length;
  const barW = round(Math.min((plotW / n) * 0.26, 10));
  const kinds = [['done', 'bar'], ['notDone', 'bar-alt'], ['open', 'bar-quiet']];
  const bars = weeks.map((w, i) => html`${kinds.map(([key, cls], k) => {
    const x = round(slotX(i, n) + (k - 1.5) * barW);
    return html`<rect class="${cls}" x="${x}" y="${yOf(w[key], scale)}" width="${barW}"
      height="${round(PAD.top + plotH - yOf(w[key], scale))}"><title>${t(`progress.activities.${key}.bar`,
        { week: shortDate(w.week_start), count: w[key] })}</title></rect>`;
  })}${i % 2 === (n - 1) % 2 ? xLabel(i, n, shortDate(w.week_start)) : null}`);
  const sum = (key) => weeks.reduce((s, w) => s + w[key], 0);
  const desc = t('progress.activities.desc', { weeks: n, done: sum('done'), notDone: sum('notDone'),
    open: sum('open') });
  const legend = html`<ul class="chart-legend">${kinds.map(([key, cls]) => html`<li><span
    class="swatch swatch-${cls}" aria-hidden="true"></span>${t(`progress.activities.${key}`)}</li>`)}</ul>`;
  const table = html`${legend}${numbers(html`<table class="chart-data"><caption>${t('progress.table', { title })}</caption>
    <thead><tr><th scope="col">${t('progress.col.weekOf')}</th>${kinds.map(([key]) => html`<th scope="col">${
      t(`progress.activities.${key}`)}</th>`)}</tr></thead>
    <tbody>${weeks.map((w) => html`<tr><th scope="row"><time datetime="${w.week_start}">${dayText(w.week_start)}</time></th>
      <td>${w.done}</td><td>${w.notDone}</td><td>${w.open}</td></tr>`)}</tbody></table>`)}`;
  return figure(id, title, desc, html`${yAxis(top, scale)}${bars}`, table);
}

/**
 * Thought records: for each, the average strength of the feelings (0-100) before (a ring) and after re-rating them
 * (a dot), joined by a line. Null when there is no thought record with feelings.
 * @param {ReturnType<typeof import('./progress.js').thoughtRecords>} records
 * @param {{id?: string, zone?: string}} [options] `zone`: the time zone their days are read in (this device's)
 */
export function thoughtChart(records, { id = 'thought-chart', zone = 'UTC' } = {}) {
  if (!records.length) return null;
  const title = t('progress.thoughts.chart');
  const n = records.length;
  const when = (at) => shortDate(dayIn(at, zone) ?? String(at).slice(0, 10));
  const marks = records.map((r, i) => {
    const x = slotX(i, n);
    const tip = r.after === null ? t('progress.thoughts.beforeOnly', { when: when(r.at), before: r.before })
      : t('progress.thoughts.pair', { when: when(r.at), before: r.before, after: r.after });
    return html`<g><title>${tip}</title>${r.after === null || r.before === null ? null : html`<line class="change"
      x1="${x}" x2="${x}" y1="${yOf(r.before, 100)}" y2="${yOf(r.after, 100)}"></line>`}
      ${r.before === null ? null : html`<circle class="before" cx="${x}" cy="${yOf(r.before, 100)}" r="4.5"></circle>`}
      ${r.after === null ? null : html`<circle class="point" cx="${x}" cy="${yOf(r.after, 100)}" r="4"></circle>`}</g>
      ${n <= 6 || i % 2 === (n - 1) % 2 ? xLabel(i, n, when(r.at)) : null}`;
  });
  const rerated = records.filter((r) => r.after !== null && r.before !== null);
  const desc = t('progress.thoughts.desc', { count: n, rerated: rerated.length,
    lower: rerated.filter((r) => r.after < r.before).length });
  const legend = html`<ul class="chart-legend"><li><span class="swatch swatch-before" aria-hidden="true"></span>${
    t('progress.col.before')}</li><li><span class="swatch swatch-after" aria-hidden="true"></span>${
    t('progress.col.after')}</li></ul>`;
  const table = html`${legend}${numbers(html`<table class="chart-data"><caption>${t('progress.table', { title })}</caption>
    <thead><tr><th scope="col">${t('progress.col.when')}</th><th scope="col">${t('progress.col.feeling')}</th>
      <th scope="col">${t('progress.col.before')}</th><th scope="col">${t('progress.col.after')}</th></tr></thead>
    <tbody>${records.map((r) => r.emotions.map((e) => html`<tr><th scope="row"><time datetime="${r.at}">${
      when(r.at)}</time></th><td>${e.name}</td><td>${number(e.before)}</td><td>${number(e.after)}</td></tr>`))}
    </tbody></table>`)}`;
  return figure(id, title, desc, html`${yAxis(100)}${marks}`, table);
}

/**
 * Helping others: for each time with a mood noted, the mood before (a ring) and after (a dot) on 0 to 10, joined by a
 * line; the table adds the minutes given. Null when there is no helping entry with numbers.
 * @param {ReturnType<typeof import('./progress.js').helpingRecords>} records
 * @param {{id?: string, zone?: string}} [options] `zone`: the time zone their days are read in (this device's)
 */
export function helpingChart(records, { id = 'helping-chart', zone = 'UTC' } = {}) {
  if (!records.length) return null;
  const title = t('progress.helping.chart');
  const n = records.length;
  const when = (at) => shortDate(dayIn(at, zone) ?? String(at).slice(0, 10));
  const marks = records.map((r, i) => {
    const x = slotX(i, n);
    const tip = t('progress.helping.point', { when: when(r.at), before: r.before ?? -1, after: r.after ?? -1,
      minutes: r.minutes ?? -1 });
    return html`<g><title>${tip}</title>${r.after === null || r.before === null ? null : html`<line class="change"
      x1="${x}" x2="${x}" y1="${yOf(r.before, 10)}" y2="${yOf(r.after, 10)}"></line>`}
      ${r.before === null ? null : html`<circle class="before" cx="${x}" cy="${yOf(r.before, 10)}" r="4.5"></circle>`}
      ${r.after === null ? null : html`<circle class="point" cx="${x}" cy="${yOf(r.after, 10)}" r="4"></circle>`}</g>
      ${n <= 6 || i % 2 === (n - 1) % 2 ? xLabel(i, n, when(r.at)) : null}`;
  });
  const both = records.filter((r) => r.after !== null && r.before !== null);
  const desc = t('progress.helping.desc', { count: n, minutes: records.reduce((sum, r) => sum + (r.minutes ?? 0), 0),
    rated: both.length, higher: both.filter((r) => r.after > r.before).length });
  const legend = html`<ul class="chart-legend"><li><span class="swatch swatch-before" aria-hidden="true"></span>${
    t('progress.helping.before')}</li><li><span class="swatch swatch-after" aria-hidden="true"></span>${
    t('progress.helping.after')}</li></ul>`;
  const table = html`${legend}${numbers(html`<table class="chart-data"><caption>${t('progress.table', { title })}</caption>
    <thead><tr><th scope="col">${t('progress.col.when')}</th><th scope="col">${t('progress.col.minutes')}</th>
      <th scope="col">${t('progress.helping.before')}</th><th scope="col">${t('progress.helping.after')}</th></tr></thead>
    <tbody>${records.map((r) => html`<tr><th scope="row"><time datetime="${r.at}">${when(r.at)}</time></th><td>${
      number(r.minutes)}</td><td>${number(r.before)}</td><td>${number(r.after)}</td></tr>`)}</tbody></table>`)}`;
  return figure(id, title, desc, html`${yAxis(10)}${marks}`, table);
}
