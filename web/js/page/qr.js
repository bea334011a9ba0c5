/**
 * A QR code drawn on the device: the invitation link as one SVG path of its dark modules. The encoder is the
 * npm package qrcode-generator (MIT), served as /vendor/qrcode.js; nothing is fetched from anywhere else.
 * Error correction level M, byte mode over the UTF-8 bytes of the text, a quiet zone of 4 modules.
 */

import qrcode from '/vendor/qrcode.js';

export const QUIET_ZONE = 4;
export const QR_LABEL = 'QR code of the invitation link';

/**
 * The text as a string of one char per UTF-8 byte: qrcode-generator's byte mode takes each char's low 8 bits,
 * so this hands it the UTF-8 bytes exactly (its default would drop the high bits of non-Latin-1 text).
 * @param {string} text
 */
const utf8Chars = (text) => String.fromCharCode(...new TextEncoder().encode(text));

/**
 * The modules of the smallest QR code (version 1–40, level M, byte mode) holding `text`.
 * @param {string} text
 * @returns {{size: number, dark: boolean[][]}} size = modules per side (17 + 4 × version), no quiet zone
 */
export function qrMatrix(text) {
  const code = qrcode(0, 'M'); // 0: the smallest version that fits
  code.addData(utf8Chars(String(text)), 'Byte');
  code.make();
  const size = code.getModuleCount();
  const dark = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (__, c) => code.isDark(r, c)));
  return { size, dark };
}

/**
 * One SVG path of the dark modules: each run of dark modules in a row is one rectangle (`M x y h n v 1 h -n z`),
 * offset by the quiet zone. Deterministic: the same text gives the same path.
 * @param {string} text
 * @returns {{side: number, d: string}} side = modules per side with the quiet zone on both sides (the viewBox)
 */
export function qrPath(text) {
  const { size, dark } = qrMatrix(text);
  const parts = [];
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!dark[r][c]) continue;
      let run = 1;
      while (c + run < size && dark[r][c + run]) run++;
      parts.push(`M${c + QUIET_ZONE} ${r + QUIET_ZONE}h${run}v1h-${run}z`);
      c += run - 1;
    }
  }
  return { side: size + 2 * QUIET_ZONE, d: parts.join('') };
}

/**
 * The QR code of `text` as a fragment made by `html`: <svg role="img"> with one path (dark on a light square, so it
 * scans in dark mode too). For the worker's views or tests, which pass their escaping template (screens/views.js
 * `html`): the page's modules never import the worker's views. The page draws the same thing with DOM calls.
 * @template T
 * @param {string} text @param {(strings: TemplateStringsArray, ...values: unknown[]) => T} html
 * @returns {T}
 */
export function qrSvg(text, html) {
  const { side, d } = qrPath(text);
  return html`<svg class="qr-code" role="img" aria-label="${QR_LABEL}" viewBox="0 0 ${side} ${side}"
    xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges"><rect width="${side}" height="${side}"
    fill="#ffffff"></rect><path fill="#000000" d="${d}"></path></svg>`;
}

/**
 * Draw the QR code of `text` into `container` with DOM calls (no markup parsing): the page's way, for the
 * `<div class="qr" data-qr="…">` an invite screen holds.
 * @param {Element} container @param {string} text
 */
export function drawQr(container, text) {
  const NS = 'http://www.w3.org/2000/svg';
  const doc = container.ownerDocument;
  const { side, d } = qrPath(text);
  const svg = doc.createElementNS(NS, 'svg');
  const attrs = (el, values) => { for (const [k, v] of Object.entries(values)) el.setAttribute(k, String(v)); };
  attrs(svg, { class: 'qr-code', role: 'img', 'aria-label': QR_LABEL, viewBox: `0 0 ${side} ${side}`,
    'shape-rendering': 'crispEdges' });
  const back = doc.createElementNS(NS, 'rect');
  attrs(back, { width: side, height: side, fill: '#ffffff' });
  const path = doc.createElementNS(NS, 'path');
  attrs(path, { fill: '#000000', d });
  svg.append(back, path);
  container.replaceChildren(svg);
}
