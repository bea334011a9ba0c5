/**
 * A sketch on the screens: the drawing as SVG (an entry's page, a therapist's timeline and print view, all from
 * `sketchSvg`, so each shows the same picture), and the drawing editor of the form, which page/sketch.js brings to
 * life (a canvas with pointer events). The strokes' geometry is core/sketch.js.
 */

import { COLORS, HEIGHT, INK, PAPER, WIDTH, WIDTHS, strokeShape } from '../core/sketch.js';
import { html, t } from './views.js';

const SHEET = `0 0 ${WIDTH} ${HEIGHT}`;
const WIDTH_NAMES = ['fine', 'medium', 'thick', 'broad'];
// A path's own colour (none for ink, the group's) and see-through, made once: a drawing has thousands of paths.
const OWN_COLOR = new Map([...Object.values(INK), PAPER].map((c) => [c, c === INK.ink ? null : html` stroke="${c}"`]));
const SEE_THROUGH = new Map();

/**
 * The strokes as an SVG picture on a white sheet, named for screen readers by how many strokes it holds (the entry's
 * caption, beside it, says what it shows). A stroke this version cannot read is left out of the picture, never out
 * of the entry. `exporting`: with the buttons that save it as SVG or PNG on this device.
 * @param {unknown} strokes @param {{exporting?: boolean}} [options]
 */
export function sketchSvg(strokes, { exporting = false } = {}) {
  const list = Array.isArray(strokes) ? strokes : [];
  const paths = [];
  for (const stroke of list) {
    try {
      const s = strokeShape(stroke);
      const color = OWN_COLOR.has(s.color) ? OWN_COLOR.get(s.color) : html` stroke="${s.color}"`;
      if (s.opacity < 1 && !SEE_THROUGH.has(s.opacity)) SEE_THROUGH.set(s.opacity, html` stroke-opacity="${s.opacity}"`);
      paths.push(html`<path d="${s.d}"${color} stroke-width="${s.width}"${s.opacity < 1 ? SEE_THROUGH.get(s.opacity) : null}/>`);
    } catch {
      // not drawable here (a newer version's stroke): kept in the entry as it is
    }
  }
  const svg = html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${SHEET}" class="sketch-svg" role="img"
    aria-label="${t('sketch.svg.label', { count: list.length })}" data-sketch-svg><rect width="100%" height="100%"
    fill="${PAPER}"/><g fill="none" stroke="${INK.ink}" stroke-linecap="round" stroke-linejoin="round">${paths}</g></svg>`;
  if (!exporting) return svg;
  return html`<figure class="sketch-figure">${svg}<figcaption class="actions">
    <button type="button" class="secondary" data-sketch-export="svg">${t('sketch.export.svg')}</button>
    <button type="button" class="secondary" data-sketch-export="png">${t('sketch.export.png')}</button>
    <span class="hint" data-sketch-export-status role="status"></span></figcaption></figure>`;
}

/** One choice of a row of tools (a radio button with its visible name). */
const toolChoice = (group, value, label, checked, extra = null) => html`<label class="choice"><input type="radio"
  name="sketch-${group}" value="${value}"${checked ? html` checked` : null}>${extra}<span>${label}</span></label>`;

/**
 * The drawing editor: tools (pen, marker, eraser), colours, widths, undo, redo and clear over a canvas; the strokes
 * travel in the hidden field `name` as JSON. How much room is left is said near the limits (`data-sketch-room`).
 * @param {import('../core/kinds.js').Field} field @param {unknown} value @param {string} id @param {string} name
 */
export function sketchEditor(field, value, id, name) {
  const c = field.constraints ?? {};
  return html`<div class="sketch" data-sketch data-max-items="${c.max_items}" data-max-length="${c.max_length}"
    role="group" aria-labelledby="${id}-label">
    <div class="sketch-tools">
      <fieldset class="sketch-row"><legend>${t('sketch.tool')}</legend><div class="choices">
        ${toolChoice('tool', 'pen', t('sketch.tool.pen'), true)}${toolChoice('tool', 'marker', t('sketch.tool.marker'),
          false)}${toolChoice('tool', 'eraser', t('sketch.tool.eraser'), false)}</div></fieldset>
      <fieldset class="sketch-row"><legend>${t('sketch.color')}</legend><div class="choices">
        ${COLORS.map((color, i) => toolChoice('color', color, t(`sketch.color.${color}`), i === 0,
          html`<span class="swatch swatch-${color}" aria-hidden="true"></span>`))}</div></fieldset>
      <div class="sketch-row"><label for="${id}-width">${t('sketch.width')}</label>
        <select id="${id}-width" name="sketch-width">${WIDTHS.map((w, i) => html`<option value="${w}"${
          i === 1 ? html` selected` : null}>${t(`sketch.width.${WIDTH_NAMES[i]}`)}</option>`)}</select></div>
      <div class="actions sketch-actions">
        <button type="button" class="secondary" data-sketch-do="undo" disabled>${t('sketch.undo')}</button>
        <button type="button" class="secondary" data-sketch-do="redo" disabled>${t('sketch.redo')}</button>
        <button type="button" class="secondary danger" data-sketch-do="clear" disabled>${t('sketch.clear')}</button>
      </div>
    </div>
    <canvas class="sketch-canvas" width="${WIDTH / 4}" height="${HEIGHT / 4}" data-sketch-canvas role="img"
      aria-label="${t('sketch.canvas')}"></canvas>
    <p class="hint" data-sketch-room role="status"></p>
    <input type="hidden" id="${id}" name="${name}" value="${Array.isArray(value) ? JSON.stringify(value) : ''}"
      data-sketch-value>
  </div>`;
}
