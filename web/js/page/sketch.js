/**
 * Sketches on the page (docs/WEB.md "Sketches"): the drawing editor of a sketch's form, and saving a drawing shown
 * on an entry's page as SVG or PNG. The editor draws with pointer events (pressure from a pen, 0.5 from a mouse;
 * while a pen is down, touches are ignored), keeps every stroke as compact vector points (core/sketch.js) in the
 * form's hidden field as JSON, and offers undo, redo and clear. Near the size limit it says how much room is left;
 * a stroke that would pass it is refused with a message, never cut. The worker checks the same limits on save.
 */

import { WIDTH, HEIGHT, INK, MAX_POINTS, PAPER, encodePoints, roomUsed, strokeId, strokeShape } from '../core/sketch.js';
import { pageWords } from './words.js';

const NEAR = 0.8;

/** @param {HTMLElement} view */
export function watchSketches(view) {
  const wire = () => {
    for (const box of /** @type {NodeListOf<HTMLElement>} */ (view.querySelectorAll('[data-sketch]:not([data-wired])'))) {
      box.dataset.wired = 'true';
      runEditor(box);
    }
  };
  document.addEventListener('htmx:after:swap', wire);
  wire();
  view.addEventListener('click', (event) => {
    const button = /** @type {HTMLElement|null} */ (/** @type {Element} */ (event.target).closest?.('[data-sketch-export]'));
    if (!button) return;
    const figure = button.closest('figure');
    const svg = /** @type {SVGSVGElement|null} */ (figure?.querySelector('[data-sketch-svg]'));
    if (svg) exportSketch(svg, button.dataset.sketchExport, figure.querySelector('[data-sketch-export-status]'));
  });
}

/** Offer a file to save on this device: a download, nothing sent anywhere. @param {Blob} blob @param {string} name */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Save the picture as it is shown: SVG as its own markup; PNG drawn from the same paths onto a canvas (the app's
 * CSP allows no blob: images, and needs none).
 * @param {SVGSVGElement} svg @param {string} format @param {Element|null} status
 */
async function exportSketch(svg, format, status) {
  const words = await pageWords();
  if (format === 'svg') {
    download(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }), 'sketch.svg');
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH / 2;
    canvas.height = HEIGHT / 2;
    const ctx = canvas.getContext('2d');
    ctx.scale(0.5, 0.5); // the SVG's quarter units onto 2000 x 1500 pixels
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const path of svg.querySelectorAll('path')) {
      ctx.globalAlpha = Number(path.getAttribute('stroke-opacity') ?? 1);
      // A path's own colour, else its group's (ink, which the paths do not repeat).
      ctx.strokeStyle = path.closest('[stroke]')?.getAttribute('stroke') ?? INK.ink;
      ctx.lineWidth = Number(path.getAttribute('stroke-width'));
      ctx.stroke(new Path2D(path.getAttribute('d')));
    }
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (blob) download(blob, 'sketch.png');
  }
  if (status) status.textContent = words('sketch.export.done');
}

/** @param {HTMLElement} box the editor's [data-sketch] */
function runEditor(box) {
  const canvas = /** @type {HTMLCanvasElement} */ (box.querySelector('[data-sketch-canvas]'));
  const input = /** @type {HTMLInputElement} */ (box.querySelector('[data-sketch-value]'));
  const room = box.querySelector('[data-sketch-room]');
  const ctx = canvas.getContext('2d');
  const maxItems = Number(box.dataset.maxItems);
  const maxLength = Number(box.dataset.maxLength);
  const button = (name) => /** @type {HTMLButtonElement} */ (box.querySelector(`[data-sketch-do="${name}"]`));
  /** @type {any[]} */
  let strokes = [];
  try {
    strokes = input.value ? JSON.parse(input.value) : [];
  } catch {
    strokes = [];
  }
  // What undo and redo step through: a stroke added, or the sheet cleared (of these strokes).
  /** @type {{add?: any[], cleared?: any[]}[]} */
  const done = [];
  /** @type {{add?: any[], cleared?: any[]}[]} */
  const undone = [];
  /** @type {{pointerId: number, type: string, points: number[][], tool: string, color: string, width: number}|null} */
  let drawing = null;

  const chosen = (name) => /** @type {HTMLInputElement|null} */ (box.querySelector(`[name="sketch-${name}"]:checked`))?.value;

  function paint(stroke) {
    const shape = strokeShape(stroke);
    ctx.globalAlpha = shape.opacity;
    ctx.strokeStyle = shape.color;
    ctx.lineWidth = shape.width;
    ctx.stroke(new Path2D(shape.d));
    ctx.globalAlpha = 1;
  }

  function redraw() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(canvas.width / WIDTH, 0, 0, canvas.height / HEIGHT, 0, 0); // quarter units to the canvas
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const stroke of strokes) {
      try {
        paint(stroke);
      } catch {
        // a stroke this version cannot draw stays in the entry, undrawn
      }
    }
  }

  async function changed() {
    input.value = strokes.length ? JSON.stringify(strokes) : '';
    input.dispatchEvent(new Event('input', { bubbles: true })); // the draft (page/drafts.js) keeps it
    button('undo').disabled = !done.length;
    button('redo').disabled = !undone.length;
    button('clear').disabled = !strokes.length;
    const used = roomUsed(strokes, maxItems, maxLength);
    const words = await pageWords();
    room.textContent = used >= NEAR ? words('sketch.room', { percent: Math.max(0, Math.floor((1 - used) * 100)) }) : '';
  }

  /** Where a pointer is on the sheet, in quarter units, with its pressure 0..255. @param {PointerEvent} e */
  function pointAt(e) {
    const rect = canvas.getBoundingClientRect();
    const clamp = (v, max) => Math.min(max, Math.max(0, Math.round(v)));
    const pressure = e.pointerType === 'mouse' || !e.pressure ? 0.5 : e.pressure;
    return [clamp(((e.clientX - rect.left) / rect.width) * WIDTH, WIDTH),
      clamp(((e.clientY - rect.top) / rect.height) * HEIGHT, HEIGHT), clamp(pressure * 255, 255)];
  }

  canvas.addEventListener('pointerdown', (e) => {
    if (drawing && drawing.type === 'pen' && e.pointerType === 'touch') return; // the palm under a pen
    if (drawing || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    canvas.setPointerCapture?.(e.pointerId);
    drawing = { pointerId: e.pointerId, type: e.pointerType, points: [pointAt(e)], tool: chosen('tool') ?? 'pen',
      color: chosen('color') ?? 'ink', width: Number(/** @type {HTMLSelectElement} */ (box.querySelector('[name="sketch-width"]')).value) };
  });

  canvas.addEventListener('pointermove', (e) => {
    if (!drawing || e.pointerId !== drawing.pointerId) return;
    const events = e.getCoalescedEvents?.() ?? [];
    for (const each of events.length ? events : [e]) {
      const point = pointAt(each);
      const last = drawing.points[drawing.points.length - 1];
      if (point[0] !== last[0] || point[1] !== last[1]) drawing.points.push(point);
    }
    // Draw the stroke so far over the sheet as it is (its last few points are enough for the eye; redrawn whole at the end).
    paint({ ...drawing, points: encodePoints(drawing.points.slice(-3)) });
  });

  async function finish(e) {
    if (!drawing || e.pointerId !== drawing.pointerId) return;
    const { points, tool, color, width } = drawing;
    drawing = null;
    // A stroke longer than a stroke may be goes on as the next one, from the same point: nothing is cut.
    const added = [];
    for (let at = 0; at === 0 || at < points.length - 1; at += MAX_POINTS - 1) {
      const part = points.slice(at, at + MAX_POINTS);
      added.push({ stroke: { id: strokeId(), tool, color, width, points: encodePoints(part) } });
    }
    const next = [...strokes, ...added.map((a) => a.stroke)];
    if (roomUsed(next, maxItems, maxLength) > 1) {
      redraw();
      room.textContent = (await pageWords())('sketch.full');
      return;
    }
    strokes = next;
    done.push({ add: added.map((a) => a.stroke) });
    undone.length = 0;
    redraw();
    changed();
  }
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);

  function apply(step, forward) {
    const ids = new Set((step.add ?? []).map((s) => s.id));
    if (step.add) strokes = forward ? [...strokes, ...step.add] : strokes.filter((s) => !ids.has(s.id));
    else strokes = forward ? [] : step.cleared;
  }

  box.addEventListener('click', (e) => {
    const action = /** @type {HTMLElement|null} */ (/** @type {Element} */ (e.target).closest?.('[data-sketch-do]'))
      ?.dataset.sketchDo;
    if (!action) return;
    if (action === 'undo' && done.length) {
      const step = done.pop();
      apply(step, false);
      undone.push(step);
    } else if (action === 'redo' && undone.length) {
      const step = undone.pop();
      apply(step, true);
      done.push(step);
    } else if (action === 'clear' && strokes.length) {
      done.push({ cleared: strokes });
      undone.length = 0;
      strokes = [];
    }
    redraw();
    changed();
  });

  redraw();
  changed();
}
