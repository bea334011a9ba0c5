// Writes the words of sync/kinds.json and sync/templates.json into web/i18n/en.json (the `kind.*` and `template.*`
// keys of core/kind-words.js), replacing the section there: the two files stay the one source of their English.
// `node tools/kind-messages.js` (make messages); `--check` only says whether en.json is up to date (exit 1 if not).
// Other catalogues are translated by hand: the catalogue test names any key they lack.
import { readFileSync, writeFileSync } from 'node:fs';
import { kindMessages, templateMessages } from '../js/core/kind-words.js';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
const EN = new URL('../i18n/en.json', import.meta.url);

/** en.json's text with the kind and template section as the files say; the rest kept line for line. */
export function withKindSection(catalogueText, kinds, templates) {
  const words = { ...kindMessages(kinds), ...templateMessages(templates) };
  const lines = catalogueText.trimEnd().split('\n');
  if (lines[0] !== '{' || lines.at(-1) !== '}') throw new Error('en.json: one key per line expected');
  const kept = lines.slice(1, -1).filter((line) => !/^ {2}"(kind|template)\./.test(line))
    .map((line) => line.replace(/,$/, ''));
  while (kept.length && !kept.at(-1).trim()) kept.pop();
  const section = Object.entries(words).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  const all = [...kept, '', ...section];
  const last = all.length - 1;
  const out = all.map((line, i) => (line.trim() && i < last ? `${line},` : line));
  JSON.parse(`{\n${out.join('\n')}\n}`); // still one JSON object
  return `{\n${out.join('\n')}\n}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const next = withKindSection(read('../i18n/en.json'), JSON.parse(read('../../sync/kinds.json')),
    JSON.parse(read('../../sync/templates.json')));
  if (process.argv.includes('--check')) {
    const canonical = (text) => JSON.stringify(Object.entries(JSON.parse(text)).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (canonical(next) !== canonical(read('../i18n/en.json'))) {
      console.error('web/i18n/en.json: the words of kinds.json/templates.json changed; run make messages');
      process.exit(1);
    }
  } else {
    writeFileSync(EN, next);
  }
}
