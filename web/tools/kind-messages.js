// Writes the words of sync/kinds.json and sync/templates.json into web/i18n/en.json (the `kind.*` and `template.*`
// keys of core/kind-words.js), replacing the section there: the two files stay the one source of their English.
// The `between` command's catalogues (sync/i18n/<code>.json) get the `kind.*`, `field.problem.*` and `merge.note.*`
// sections of web/i18n/<code>.json as they are, so the web app's catalogues stay the one source of the kinds' words,
// of the words of an answer that does not fit its question and of merge notes, in every language (docs/CLI.md
// "Languages").
// `node tools/kind-messages.js` (make messages); `--check` only says whether they are up to date (exit 1 if not).
// Other web catalogues are translated by hand: the catalogue test names any key they lack.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { kindMessages, templateMessages } from '../js/core/kind-words.js';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');
const EN = new URL('../i18n/en.json', import.meta.url);
const CLI = new URL('../../sync/i18n/', import.meta.url);

/** A one-key-per-line catalogue's text with the keys under `prefixes` (the section) replaced by `words`; the rest
 * kept. */
export function withSection(catalogueText, words, prefixes = ['kind.', 'template.']) {
  const lines = catalogueText.trimEnd().split('\n');
  if (lines[0] !== '{' || lines.at(-1) !== '}') throw new Error('catalogue: one key per line expected');
  const ours = (line) => prefixes.some((prefix) => line.startsWith(`  "${prefix}`));
  const kept = lines.slice(1, -1).filter((line) => !ours(line))
    .map((line) => line.replace(/,$/, ''));
  while (kept.length && !kept.at(-1).trim()) kept.pop();
  const section = Object.entries(words).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  const all = [...kept, '', ...section];
  const last = all.length - 1;
  const out = all.map((line, i) => (line.trim() && i < last ? `${line},` : line));
  JSON.parse(`{\n${out.join('\n')}\n}`); // still one JSON object
  return `{\n${out.join('\n')}\n}\n`;
}

/** en.json's text with the kind and template section as the files say; the rest kept line for line. */
export const withKindSection = (catalogueText, kinds, templates) =>
  withSection(catalogueText, { ...kindMessages(kinds), ...templateMessages(templates) });

/** The sections of a web catalogue the command's catalogue of the same language copies. */
export const CLI_SECTIONS = ['kind.', 'field.problem.', 'merge.note.'];

/** The `kind.*`, `field.problem.*` and `merge.note.*` messages of a web catalogue, for the command's catalogue of its
 * language. */
export const cliKindWords = (webCatalogue) => Object.fromEntries(Object.entries(webCatalogue)
  .filter(([key]) => CLI_SECTIONS.some((prefix) => key.startsWith(prefix))));

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const canonical = (text) => JSON.stringify(Object.entries(JSON.parse(text)).sort(([a], [b]) => (a < b ? -1 : 1)));
  let stale = false;
  const put = (url, next) => {
    if (!check) writeFileSync(url, next);
    else if (canonical(next) !== canonical(readFileSync(url, 'utf8'))) {
      console.error(`${url.pathname}: the words of kinds.json/templates.json, or a web catalogue's kind.* or `
        + 'field.problem.* words, changed; run make messages');
      stale = true;
    }
  };
  const enNext = withKindSection(read('../i18n/en.json'), JSON.parse(read('../../sync/kinds.json')),
    JSON.parse(read('../../sync/templates.json')));
  put(EN, enNext);
  for (const name of readdirSync(CLI).filter((n) => n.endsWith('.json')).sort()) {
    const web = new URL(`../i18n/${name}`, import.meta.url);
    if (!existsSync(web)) continue; // a language the web app lacks: its catalogue test names the keys it lacks
    const words = cliKindWords(JSON.parse(name === 'en.json' ? enNext : readFileSync(web, 'utf8')));
    const target = new URL(name, CLI);
    put(target, withSection(readFileSync(target, 'utf8'), words, CLI_SECTIONS));
  }
  if (stale) process.exit(1);
}
