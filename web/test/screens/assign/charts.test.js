// The review charts: inline SVG with a text alternative, drawn from the numbers given, no style attributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../messages-setup.js'; // the English catalogue in use, strict
import { completionChart, minutesChart, moodChart } from '../../../js/screens/assign/charts.js';

const count = (text, re) => (text.match(re) ?? []).length;

/** Every id named by aria-labelledby exists in the same fragment; the svg is an image; no style anywhere. */
function accessible(out) {
  assert.match(out, /<svg role="img" aria-labelledby="[^"]+"/);
  for (const [, ids] of out.matchAll(/aria-labelledby="([^"]+)"/g)) {
    for (const id of ids.split(' ')) assert.ok(out.includes(`id="${id}"`), `missing #${id}`);
  }
  assert.match(out, /<title id="[^"]+">/);
  assert.match(out, /<table class="chart-data">/);
  assert.doesNotMatch(out, /style=/);
  assert.doesNotMatch(out, /<script/i);
}

const weeks = [
  { week_start: '2026-03-16', minutes: 35, target: 70 },
  { week_start: '2026-03-23', minutes: 80, target: 70 },
  { week_start: '2026-03-30', minutes: 0, target: 70 },
];

test('minutes per week: one bar a week, the target line, the same numbers in a table', () => {
  const out = String(minutesChart(weeks));
  accessible(out);
  assert.equal(count(out, /<rect class="bar/g), 3);
  assert.equal(count(out, /<rect class="bar met"/g), 1); // only the week that reached 70
  assert.equal(count(out, /<line class="target"/g), 1);
  assert.equal(count(out, /<tr><th scope="row">/g), 3);
  assert.match(out, /<td>80<\/td><td>70<\/td><td>Yes<\/td>/);
  assert.match(out, /<td>35<\/td><td>70<\/td><td>Not yet<\/td>/);
  assert.match(out, /against a target of 70 minutes a week: 35, 80, 0 minutes/);
  // The tallest bar (80 of a scale to 92) is taller than the 35 one; an empty week has no height.
  const heights = [...out.matchAll(/<rect class="bar[^"]*"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(heights[1] > heights[0] && heights[2] === 0, String(heights));
});

test('minutes without a target: no line, no target column; nothing at all without weeks', () => {
  const out = String(minutesChart(weeks.map((w) => ({ ...w, target: null }))));
  assert.equal(count(out, /class="target"/g), 0);
  assert.doesNotMatch(out, />Target</);
  assert.match(out, /no weekly target/);
  assert.match(String(minutesChart([])), /No practice minutes yet/);
});

test('completion rate as one bar, in words too', () => {
  const out = String(completionChart({ done: 3, due: 4, rate: 0.75 }));
  accessible(out);
  assert.match(out, /3 of 4 done \(75%\)/);
  const [track, bar] = [...out.matchAll(/<rect class="(?:track|bar)"[^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(bar / track, 0.75);
  assert.match(String(completionChart({ done: 0, due: 0, rate: null })), /Nothing was due yet/);
});

test('mood over time: a point per check-in joined by a line, and a table row each', () => {
  const series = [{ at: '2026-03-20T08:00:00Z', score: 3 }, { at: '2026-03-22T08:00:00Z', score: 7 },
    { at: '2026-03-25T08:00:00Z', score: 5 }];
  const out = String(moodChart(series, { timeZone: 'Europe/Berlin' }));
  accessible(out);
  assert.equal(count(out, /<circle class="point"/g), 3);
  const points = /<polyline class="line" fill="none"\s+points="([^"]+)"/.exec(out)[1].split(' ');
  assert.equal(points.length, 3);
  // Higher scores are drawn higher (smaller y); time runs left to right.
  const xy = points.map((p) => p.split(',').map(Number));
  assert.ok(xy[1][1] < xy[2][1] && xy[2][1] < xy[0][1]);
  assert.ok(xy[0][0] < xy[1][0] && xy[1][0] < xy[2][0]);
  assert.equal(count(out, /<tr><th scope="row"><time/g), 3);
  assert.match(out, /scores from 3 to 7 out of 10; the latest is 5/);
  const one = String(moodChart([series[0]]));
  assert.equal(count(one, /<circle/g), 1);
  assert.equal(count(one, /<polyline/g), 0);
  assert.match(String(moodChart([])), /No mood check-ins were shared/);
});

test('whatever reaches a chart is escaped', () => {
  const out = String(minutesChart(weeks, { id: 'x"><script>alert(1)</script>' }));
  assert.doesNotMatch(out, /<script>/);
  assert.match(out, /x&quot;&gt;&lt;script&gt;/);
});
