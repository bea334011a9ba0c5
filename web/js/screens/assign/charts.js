/**
 * Small charts of a therapist's review, drawn as inline SVG from shared data only, in the frame every chart shares
 * (../chart-frame.js): an <svg role="img"> named by its <title> and <desc>, and a <table> of the same numbers.
 */

import { instantWords } from '../../core/dates.js';
import { dayWords } from './review.js';
import { H, PAD, W, figure, round, yAxis } from '../chart-frame.js';
import { html } from '../views.js';

const shortDay = (date) => dayWords(date).replace(/,? \d{4}$/, '');

/**
 * Practice minutes per week as bars, with the weekly target as a line.
 * @param {{week_start: string, minutes: number, target: number|null}[]} weeks oldest first (minutesByWeek)
 * @param {{id?: string}} [options]
 */
export function minutesChart(weeks, { id = 'minutes-chart' } = {}) {
  const target = weeks.find((w) => w.target)?.target ?? null;
  const title = 'Practice minutes per week';
  if (!weeks.length) return html`<p class="empty">No practice minutes yet.</p>`;
  const max = Math.max(target ?? 0, ...weeks.map((w) => w.minutes), 1) * 1.15;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / weeks.length;
  const barW = round(Math.min(slot * 0.6, 40));
  const y = (v) => round(PAD.top + plotH - (v / max) * plotH);
  const bars = weeks.map((w, i) => {
    const x = round(PAD.left + slot * i + (slot - barW) / 2);
    const met = target !== null && w.minutes >= target;
    return html`<rect class="bar${met ? ' met' : ''}" x="${x}" y="${y(w.minutes)}" width="${barW}"
      height="${round(PAD.top + plotH - y(w.minutes))}"><title>Week of ${dayWords(w.week_start)}: ${
        w.minutes} minutes</title></rect>
      <text class="axis-label" x="${round(x + barW / 2)}" y="${H - PAD.bottom + 14}" text-anchor="middle"
        font-size="10">${shortDay(w.week_start)}</text>`;
  });
  const line = target === null ? null : html`<line class="target" x1="${PAD.left}" x2="${W - PAD.right}"
    y1="${y(target)}" y2="${y(target)}"></line>`;
  const desc = `${weeks.length} ${weeks.length === 1 ? 'week' : 'weeks'}${target === null ? ', no weekly target'
    : `, against a target of ${target} minutes a week`}: ${weeks.map((w) => `${w.minutes}`).join(', ')} minutes.`;
  const table = html`<table class="chart-data"><caption>${title}, in numbers</caption>
    <thead><tr><th scope="col">Week of</th><th scope="col">Minutes</th>${target === null ? null
      : html`<th scope="col">Target</th><th scope="col">Reached</th>`}</tr></thead>
    <tbody>${weeks.map((w) => html`<tr><th scope="row">${dayWords(w.week_start)}</th><td>${w.minutes}</td>${
      target === null ? null
        : html`<td>${w.target ?? target}</td><td>${w.minutes >= target ? 'Yes' : 'Not yet'}</td>`}</tr>`)}
    </tbody></table>`;
  return figure(id, title, desc, html`${yAxis(Math.round(max / 1.15), max)}${bars}${line}`, table);
}

/**
 * The completion rate: done out of those due so far, as one bar.
 * @param {{done: number, due: number, rate: number|null}} completion (reviewAssignment)
 */
export function completionChart(completion, { id = 'completion-chart' } = {}) {
  const title = 'Completion so far';
  const { done, due } = completion;
  const words = due ? `${done} of ${due} done (${Math.round((done / due) * 100)}%)` : 'Nothing was due yet';
  const plotW = W - 2 * PAD.right;
  const h = 48;
  const width = due ? round((done / due) * plotW) : 0;
  const body = html`<rect class="track" x="${PAD.right}" y="8" width="${plotW}" height="20" rx="4"></rect>
    <rect class="bar" x="${PAD.right}" y="8" width="${width}" height="20" rx="4"></rect>
    <text class="axis-label" x="${PAD.right}" y="44" font-size="11">${words}</text>`;
  const table = html`<table class="chart-data"><caption>${title}, in numbers</caption><tbody>
    <tr><th scope="row">Done</th><td>${done}</td></tr><tr><th scope="row">Due so far</th><td>${due}</td></tr>
    <tr><th scope="row">Rate</th><td>${due ? `${Math.round((done / due) * 100)}%` : '–'}</td></tr></tbody></table>`;
  return figure(id, title, `${words}.`, body, table, h);
}

/**
 * Mood over time: the scores (0-10) of the mood check-ins the client shared, as points joined by a line.
 * @param {{at: string, score: number}[]} series oldest first (moodSeries of review.js)
 * @param {{id?: string, timeZone?: string}} [options] the zone its dates are shown in
 */
export function moodChart(series, { id = 'mood-chart', timeZone = undefined } = {}) {
  const title = 'Mood over time';
  if (!series.length) return html`<p class="empty">No mood check-ins were shared.</p>`;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const times = series.map((p) => Date.parse(p.at));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const x = (t) => round(t1 === t0 ? PAD.left + plotW / 2 : PAD.left + ((t - t0) / (t1 - t0)) * plotW);
  const y = (s) => round(PAD.top + plotH - (s / 10) * plotH);
  const label = (at) => instantWords(at, timeZone) ?? String(at);
  const points = series.map((p, i) => [x(times[i]), y(p.score)]);
  const first = label(series[0].at);
  const last = label(series.at(-1).at);
  const body = html`${yAxis(10)}
    ${points.length > 1 ? html`<polyline class="line" fill="none"
      points="${points.map((p) => p.join(',')).join(' ')}"></polyline>` : null}
    ${series.map((p, i) => html`<circle class="point" cx="${points[i][0]}" cy="${points[i][1]}" r="4"><title>${
      label(p.at)}: ${p.score} out of 10</title></circle>`)}
    <text class="axis-label" x="${PAD.left}" y="${H - 8}" font-size="10">${first.replace(/,[^,]*$/, '')}</text>
    <text class="axis-label" x="${W - PAD.right}" y="${H - 8}" text-anchor="end" font-size="10">${
      last.replace(/,[^,]*$/, '')}</text>`;
  const scores = series.map((p) => p.score);
  const desc = `${series.length} mood ${series.length === 1 ? 'check-in' : 'check-ins'} from ${first} to ${last}, `
    + `scores from ${Math.min(...scores)} to ${Math.max(...scores)} out of 10; the latest is ${scores.at(-1)}.`;
  const table = html`<table class="chart-data"><caption>${title}, in numbers</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Mood (0 to 10)</th></tr></thead>
    <tbody>${series.map((p) => html`<tr><th scope="row"><time datetime="${p.at}">${label(p.at)}</time></th>
      <td>${p.score}</td></tr>`)}</tbody></table>`;
  return figure(id, title, desc, body, table);
}
