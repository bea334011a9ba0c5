// A pseudo-locale made from the English catalogue at test time: every piece of a message's own text wrapped in ⟦…⟧
// and its letters accented, its {arguments}, # and plural/select branches kept and left outside the marks. A screen
// rendered with it shows at once any word that did not come from the catalogue, an argument's too: that word has no
// marks.
import { parse } from '../js/core/messages.js';

const ACCENTED = Object.fromEntries([...'aceinorsuyACEINORSUY'].map((c, i) => [c, [...'åçéîñöŕšûýÅÇÉÎÑÖŔŠÛÝ'][i]]));
const accent = (text) => [...text].map((c) => ACCENTED[c] ?? c).join('');

/** @param {import('../js/core/messages.js').Node[]} nodes */
function write(nodes) {
  return nodes.map((node) => {
    if (typeof node === 'string') return `⟦${accent(node)}⟧`;
    if ('hash' in node) return '#';
    if (!('branches' in node)) return `{${node.arg}}`;
    const branches = Object.entries(node.branches).map(([key, list]) => `${key} {${write(list)}}`).join(' ');
    return `{${node.arg}, ${node.plural ? 'plural' : 'select'}, ${branches}}`;
  }).join('');
}

/** @param {Record<string, string>} catalogue */
export const pseudoLocalise = (catalogue) =>
  Object.fromEntries(Object.entries(catalogue).map(([key, message]) => [key, write(parse(message))]));
