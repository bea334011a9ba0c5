/**
 * What every chart of the app shares (the therapist's review, the client's Progress): inline SVG drawn from data,
 * in a <figure> whose <svg role="img"> is named by its <title> and <desc>, followed by a <table> of the same
 * numbers, so nothing is said by the drawing alone. No style attributes (the CSP forbids them): colours come from
 * classes in css/app.css, for light and dark.
 */

import { html } from './views.js';

export const W = 320; // viewBox width
export const H = 160; // viewBox height
export const PAD = Object.freeze({ left: 32, right: 8, top: 12, bottom: 28 });

export const round = (n) => Math.round(n * 10) / 10;

/** The frame of a chart: the svg with its title and description, then the table of its numbers. */
export function figure(id, title, desc, body, table, viewHeight = H) {
  return html`<figure class="chart" aria-labelledby="${id}-caption">
    <figcaption id="${id}-caption">${title}</figcaption>
    <svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${W} ${viewHeight}"
      preserveAspectRatio="xMidYMid meet" focusable="false"><title id="${id}-title">${title}</title>
      <desc id="${id}-desc">${desc}</desc>${body}</svg>
    ${table}</figure>`;
}

/** Horizontal grid lines with their numbers at 0, half of `top` and `top`, on a scale up to `scale`. */
export function yAxis(top, scale = top, unit = '') {
  const plotH = H - PAD.top - PAD.bottom;
  return [0, top / 2, top].map((v) => {
    const y = round(PAD.top + plotH - (v / scale) * plotH);
    return html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"></line>
      <text class="axis-label" x="${PAD.left - 4}" y="${round(y + 4)}" text-anchor="end" font-size="10">${
        round(v)}${unit}</text>`;
  });
}
