/**
 * The client's Progress screen: mood over the last week and a month (a line and a calendar), practice minutes per
 * week against any aim, activities week by week with what they said about them, thought records before and after, and
 * (once there is one with numbers) helping others: the minutes given and the mood before and after.
 * No streaks, no scores of the person: what happened, in numbers and words, and empty states that invite.
 */

import { calendarWords } from '../../core/dates.js';
import { link, nav, WORDING } from '../components.js';
import { ratingWord, wordingOf } from '../todo/todo-views.js';
import { html, t } from '../views.js';
import {
  activitiesChart, helpingChart, moodCalendar, moodLine, practiceChart, thoughtChart,
} from './progress-charts.js';

/** A YYYY-MM month in words ("March 2026"). */
export const monthName = (month) => calendarWords(`${month}-01`, { month: 'long', year: 'numeric' }) ?? month;

const section = (id, heading, body) => html`<section class="progress-section" aria-labelledby="${id}">
  <h2 id="${id}">${heading}</h2>${body}</section>`;

const invite = (text, href = null, label = null) => html`<p class="empty">${text}${href ? html` ${link(href, label)}`
  : null}</p>`;

/** Links to the month before and (when it is not this month) the month after. */
function monthNav(month, { previous, next }) {
  const go = (m, key) => link(`/app/progress?month=${m}`, t(key, { month: monthName(m) }), 'button secondary');
  return html`<div class="actions month-nav">${go(previous, 'progress.month.previous')}${
    next ? go(next, 'progress.month.next') : null}</div>`;
}

/** What the person said about each activity: information for them and their therapist, never a verdict. */
function feedbackList(feedback) {
  if (!feedback.length) return null;
  return html`<h3>${t('progress.feedback.heading')}</h3><ul class="progress-feedback">${feedback.map((f) => html`<li>
    <strong>${f.assignment.doc.title}</strong>: ${ratingWord(f.rating)}${f.comment ? html` · “${f.comment}”` : null}${
    f.rating === 'not_helping' ? html`<span class="hint"> ${t('progress.feedback.notHelping',
      { handle: f.assignment.from?.handle ?? '' })}</span>` : null}</li>`)}</ul>`;
}

/**
 * The Progress page. Every part is computed by progress.js from this device's own entries and answers.
 * @param {{today: string, month: string, months: {previous: string, next: string|null},
 *   week: import('./progress.js').MoodDay[], monthDays: import('./progress.js').MoodDay[],
 *   calendar: (string|null)[][], practice: any[], activities: any[], feedback: any[], thoughts: any[],
 *   helping?: any[], hasAssignments?: boolean, zone?: string, words?: any}} page
 */
export function progressPage({ today, month, months, week, monthDays, calendar, practice, activities, feedback,
  thoughts, helping = [], hasAssignments = false, zone = 'UTC', words = WORDING.activities }) {
  const wording = wordingOf(words);
  const name = monthName(month);
  const byDay = new Map(monthDays.map((d) => [d.day, d]));
  const weekLine = moodLine(week, { id: 'mood-week', title: t('progress.mood.daily'),
    label: (day) => calendarWords(day, { weekday: 'short' }) });
  const monthLine = moodLine(monthDays, { id: 'mood-month', title: t('progress.mood.month', { month: name }),
    label: (day) => (['01', '08', '15', '22', '29'].includes(day.slice(8)) ? String(Number(day.slice(8))) : null) });
  const practiced = practiceChart(practice);
  const done = activitiesChart(activities);
  const thought = thoughtChart(thoughts, { zone });
  const helped = helpingChart(helping, { zone });
  return html`${nav('progress')}<section aria-labelledby="progress-title" class="progress">
    <h1 id="progress-title">${t('progress.heading')}</h1>
    <p class="lead">${t('progress.lead')}</p>
    ${section('progress-mood', t('progress.mood.heading'), html`
      <h3>${t('progress.mood.week')}</h3>
      ${weekLine ?? invite(t('progress.mood.emptyWeek'), '/app/today', t('progress.mood.checkIn'))}
      <h3 id="progress-month">${name}</h3>
      ${monthNav(month, months)}
      ${monthLine ?? invite(t('progress.mood.emptyMonth', { month: name }))}
      ${moodCalendar(month, calendar, byDay, { monthName: name, today })}`)}
    ${section('progress-practice', t('progress.practice.heading'), practiced
      ?? invite(t('progress.practice.empty'), '/app/entries/new?kind=relaxation', t('progress.practice.start')))}
    ${section('progress-activities', t('progress.activities.heading', { wording }), html`${done
      ?? invite(hasAssignments ? t('progress.activities.emptyWeeks', { wording })
        : t('progress.activities.empty', { wording }))}${feedbackList(feedback)}`)}
    ${section('progress-thoughts', t('progress.thoughts.heading'), thought
      ?? invite(t('progress.thoughts.empty'), '/app/entries/new?kind=thought-record', t('progress.thoughts.start')))}
    ${helped ? section('progress-helping', t('progress.helping.heading'), helped) : null}
  </section>`;
}
