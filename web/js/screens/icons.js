/**
 * The app's small line icons, drawn here as inline SVG (no icon font, no request): 24 × 24, in the text's own colour
 * (currentColor, so light, dark and forced colours follow), hidden from screen readers because a label always goes
 * with them.
 */

import { html } from './views.js';

// Each icon's inner shapes. Strokes are 2 units wide with round ends; a few dots are filled.
const SHAPES = {
  today: html`<circle cx="12" cy="12" r="4"/><path d="M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4"/>`,
  entries: html`<rect x="5" y="3" width="14" height="18" rx="2"/><path d="M9 8h6M9 12h6M9 16h3"/>`,
  todo: html`<path d="M4 6.5l2 2 3.5-3.5M4 15.5l2 2 3.5-3.5M13 7h7M13 16h7"/>`,
  progress: html`<path d="M4 4v16h16"/><path d="M8 15l3.5-4 3 2.5L20 7"/>`,
  more: html`<circle cx="5" cy="12" r="1.6" fill="currentColor" stroke="none"/><circle cx="12" cy="12" r="1.6" fill="currentColor" stroke="none"/><circle cx="19" cy="12" r="1.6" fill="currentColor" stroke="none"/>`,
  new: html`<path d="M12 5v14M5 12h14"/>`,
  clients: html`<circle cx="9" cy="8" r="3.5"/><path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6"/><path d="M15.5 4.8a3 3 0 0 1 0 5.9M17.5 14.3c2 .7 3.5 2.9 3.5 5.7"/>`,
  invites: html`<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3.5 7l8.5 6 8.5-6"/>`,
  sync: html`<path d="M20 11a8 8 0 0 0-14.3-4.2M4 13a8 8 0 0 0 14.3 4.2"/><path d="M5 3v4h4M19 21v-4h-4"/>`,
  shared: html`<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="6" r="2.5"/><circle cx="18" cy="18" r="2.5"/><path d="M8.2 10.9l7.6-3.8M8.2 13.1l7.6 3.8"/>`,
  copy: html`<path d="M12 4v11M7.5 10.5L12 15l4.5-4.5"/><path d="M5 19h14"/>`,
  devices: html`<rect x="7" y="2.5" width="10" height="19" rx="2"/><path d="M11 18.5h2"/>`,
  key: html`<circle cx="8" cy="15" r="4"/><path d="M11 12l8.5-8.5M16.5 6.5l2.5 2.5M14 9l2 2"/>`,
  settings: html`<path d="M4 7h9M17 7h3M4 17h3M11 17h9"/><circle cx="15" cy="7" r="2"/><circle cx="9" cy="17" r="2"/>`,
  language: html`<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.6 3.5 5.6 3.5 9s-1 6.4-3.5 9c-2.5-2.6-3.5-5.6-3.5-9s1-6.4 3.5-9z"/>`,
  account: html`<circle cx="12" cy="8.5" r="4"/><path d="M4.5 20.5c.8-3.8 3.9-6 7.5-6s6.7 2.2 7.5 6"/>`,
  signOut: html`<path d="M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4"/><path d="M14 8l4 4-4 4M9 12h9"/>`,
  forget: html`<rect x="4" y="4" width="16" height="16" rx="2"/><path d="M9 9l6 6M15 9l-6 6"/>`,
  safety: html`<circle cx="12" cy="12" r="9"/><circle cx="12" cy="12" r="3.5"/><path d="M5.6 5.6l3.9 3.9M14.5 14.5l3.9 3.9M18.4 5.6l-3.9 3.9M9.5 14.5l-3.9 3.9"/>`,
  phone: html`<path d="M5 4h3.5l1.5 4.5-2.2 1.3a11 11 0 0 0 6.4 6.4l1.3-2.2L20 15.5V19a1.5 1.5 0 0 1-1.5 1.5A15.5 15.5 0 0 1 3.5 5.5 1.5 1.5 0 0 1 5 4z"/>`,
  message: html`<path d="M4 5h16v11H9l-5 4z"/>`,
  delete: html`<path d="M4 7h16M10 3.5h4M6.5 7l1 13h9l1-13M10 11v5M14 11v5"/>`,
};

/**
 * An icon by name, decorative: aria-hidden, never focusable, sized by CSS (.icon).
 * @param {keyof typeof SHAPES} name
 */
export const icon = (name) => html`<svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"
  focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
  stroke-linejoin="round">${SHAPES[name]}</svg>`;

/** The names of every icon (tests draw each). */
export const ICONS = Object.freeze(Object.keys(SHAPES));
