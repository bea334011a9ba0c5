/**
 * Small charts of a therapist's review, drawn as inline SVG from shared data only, in the frame every chart shares
 * (../chart-frame.js): an <svg role="img"> named by its <title> and <desc>, and a <table> of the same numbers.
 */

import { calendarWords, instantWords } from '../../core/dates.js';
import { dayWords } from './review.js';
import { localeInUse } from '../../core/messages.js';
import { listWords } from '../components.js';
import { H, PAD, W, figure, round, yAxis } from '../chart-frame.js';
import { html, t } from '../views.js';

/** A week's first day on an axis: day and month, by Intl. */
/** A share as a percentage, by Intl ("40%"). */
const percent = (share) => new Intl.NumberFormat(localeInUse(), { style: 'percent' }).format(share);
/** A count by Intl. */
const number = (n) => new Intl.NumberFormat(localeInUse()).format(n);

const shortDay = (date) => calendarWords(date, { day: 'numeric', month: 'short' }) ?? String(date);

/**
 * Practice minutes per week as bars, with the weekly target as a line.
 * @param {{week_start: string, minutes: number, target: number|null}[]} weeks oldest first (minutesByWeek)
 * @param {{id?: string}} [options]
 */
export function minutesChart(weeks, { id = 'minutes-chart' } = {}) {
  const target = weeks.find((w) => w.target)?.target ?? null;
  const title = t('assign.chart.minutes.title');
  if (!weeks.length) return html`<p class="empty">${t('assign.chart.minutes.none')}</p>`;
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
      height="${round(PAD.top + plotH - y(w.minutes))}"><title>${t('assign.chart.minutes.bar', { week: dayWords(w.week_start),
        minutes: w.minutes })}</title></rect>
      <text class="axis-label" x="${round(x + barW / 2)}" y="${H - PAD.bottom + 14}" text-anchor="middle"
        font-size="10">${shortDay(w.week_start)}</text>`;
  });
  const line = target === null ? null : html`<line class="target" x1="${PAD.left}" x2="${W - PAD.right}"
    y1="${y(target)}" y2="${y(target)}"></line>`;
  const desc = t('assign.chart.minutes.desc', { weeks: weeks.length, target: target ?? 'none',
    minutes: listWords(weeks.map((w) => w.minutes)) });
  const table = html`<table class="chart-data"><caption>${t('assign.chart.inNumbers', { title })}</caption>
    <thead><tr><th scope="col">${t('assign.chart.weekOf')}</th><th scope="col">${t('assign.chart.minutes')}</th>${
  target === null ? null : html`<th scope="col">${t('assign.chart.target')}</th><th scope="col">${
    t('assign.chart.reached')}</th>`}</tr></thead>
    <tbody>${weeks.map((w) => html`<tr><th scope="row">${dayWords(w.week_start)}</th><td>${w.minutes}</td>${
      target === null ? null
        : html`<td>${w.target ?? target}</td><td>${t(w.minutes >= target ? 'assign.chart.yes'
          : 'assign.chart.notYet')}</td>`}</tr>`)}
    </tbody></table>`;
  return figure(id, title, desc, html`${yAxis(Math.round(max / 1.15), max)}${bars}${line}`, table);
}

/**
 * The completion rate: done out of those due so far, as one bar.
 * @param {{done: number, due: number, rate: number|null}} completion (reviewAssignment)
 */
export function completionChart(completion, { id = 'completion-chart' } = {}) {
  const title = t('assign.chart.completion.title');
  const { done, due } = completion;
  const rate = due ? percent(done / due) : null;
  const words = due ? t('assign.chart.completion.words', { done, due, rate }) : t('assign.chart.completion.none');
  const plotW = W - 2 * PAD.right;
  const h = 48;
  const width = due ? round((done / due) * plotW) : 0;
  const body = html`<rect class="track" x="${PAD.right}" y="8" width="${plotW}" height="20" rx="4"></rect>
    <rect class="bar" x="${PAD.right}" y="8" width="${width}" height="20" rx="4"></rect>
    <text class="axis-label" x="${PAD.right}" y="44" font-size="11">${words}</text>`;
  const table = html`<table class="chart-data"><caption>${t('assign.chart.inNumbers', { title })}</caption><tbody>
    <tr><th scope="row">${t('assign.chart.done')}</th><td>${number(done)}</td></tr><tr><th scope="row">${
  t('assign.chart.due')}</th><td>${number(due)}</td></tr>
    <tr><th scope="row">${t('assign.chart.rate')}</th><td>${rate ?? t('assign.chart.noRate')}</td></tr></tbody></table>`;
  return figure(id, title, t('assign.chart.completion.sentence', { words }), body, table, h);
}

/**
 * Mood over time: the scores (0-10) of the mood check-ins the client shared, as points joined by a line.
 * @param {{at: string, score: number}[]} series oldest first (moodSeries of review.js)
 * @param {{id?: string, timeZone?: string}} [options] the zone its dates are shown in
 */
export function moodChart(series, { id = 'mood-chart', timeZone = undefined } = {}) {
  const title = t('assign.chart.mood.title');
  if (!series.length) return html`<p class="empty">${t('assign.chart.mood.none')}</p>`;
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
      t('assign.chart.mood.point', { when: label(p.at), score: p.score })}</title></circle>`)}
    <text class="axis-label" x="${PAD.left}" y="${H - 8}" font-size="10">${first.replace(/,[^,]*$/, '')}</text>
    <text class="axis-label" x="${W - PAD.right}" y="${H - 8}" text-anchor="end" font-size="10">${
      last.replace(/,[^,]*$/, '')}</text>`;
  const scores = series.map((p) => p.score);
  const desc = t('assign.chart.mood.desc', { count: series.length, first, last, low: Math.min(...scores),
    high: Math.max(...scores), latest: scores.at(-1) });
  const table = html`<table class="chart-data"><caption>${t('assign.chart.inNumbers', { title })}</caption>
    <thead><tr><th scope="col">${t('assign.chart.when')}</th><th scope="col">${t('assign.chart.mood')}</th></tr></thead>
    <tbody>${series.map((p) => html`<tr><th scope="row"><time datetime="${p.at}">${label(p.at)}</time></th>
      <td>${p.score}</td></tr>`)}</tbody></table>`;
  return figure(id, title, desc, body, table);
}
