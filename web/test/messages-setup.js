// Imported by every test that renders a screen: the English catalogue in use, strict (a missing key throws), as the
// worker's local server puts a catalogue in use before it renders anything. Dates keep this machine's locale.
import { readFileSync } from 'node:fs';
import { useLanguage } from '../js/core/messages.js';

export const en = JSON.parse(readFileSync(new URL('../i18n/en.json', import.meta.url), 'utf8'));

useLanguage({ language: 'en', locale: new Intl.DateTimeFormat().resolvedOptions().locale, catalogue: en, strict: true });
