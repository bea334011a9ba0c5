/** A navigation's full page: the shell with the first view rendered in it, so the first paint shows it. */

// The shell's placeholder inside #view (index.html): the boot status line the page shows until a view arrives.
const BOOT = /<p class="status" id="boot"[^>]*>[^<]*<\/p>/;
const VIEW = '<main id="view"';

const ATTRIBUTE = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' };

/**
 * The shell cut around its boot line: `head` (everything before it, #view marked `data-rendered` so the page does
 * not ask for the view again) and `tail` (everything after). A page is head + the view's markup + tail; the head
 * can be sent before the view is ready, so the browser fetches the stylesheet and app.js meanwhile. `path`: the
 * app address the view is of, when the page's own address does not say it (`/` shows the home screen); #view
 * carries it as `data-path`, where the page reads it to render that screen again (js/page/refresh.js).
 * Returns null when the shell does not have the expected shape (the caller then sends it unchanged).
 * @param {string} shell @param {string|null} [path]
 * @returns {{head: string, tail: string}|null}
 */
export function splitShell(shell, path = null) {
  const boot = BOOT.exec(shell);
  const view = shell.indexOf(VIEW);
  if (!boot || view < 0 || view > boot.index) return null;
  const head = shell.slice(0, boot.index);
  const where = path === null ? '' : ` data-path="${path.replace(/[&"<>]/g, (c) => ATTRIBUTE[c])}"`;
  return {
    head: `${head.slice(0, view + VIEW.length)} data-rendered="true"${where}${head.slice(view + VIEW.length)}`,
    tail: shell.slice(boot.index + boot[0].length),
  };
}

/**
 * The shell's head with `<html lang>` saying the language the view is in (unchanged when none is in use yet).
 * @param {string} head @param {string|null} language
 */
export const withLanguage = (head, language) =>
  (language ? head.replace(/^(<!doctype html>\s*<html lang=")[^"]*"/i, (_, start) => `${start}${language}"`) : head);

/**
 * The shell's own words (index.html's elements marked `data-words="key"`: the skip link, the no-script line) in the
 * language in use: each such element's text is `words(key)`, escaped. The English of index.html is what a browser
 * shows before any worker runs, and stays when `words` has nothing (no catalogue in use yet).
 * @param {string} markup @param {((key: string) => string)|null} words
 */
export function withShellWords(markup, words) {
  if (!words) return markup;
  return markup.replace(/(<(\w+)\b[^>]*\sdata-words="([\w.]+)"[^>]*>)[^<]*(<\/\2>)/g,
    (_, open, tag, key, close) => `${open}${words(key).replace(/[&<>"]/g, (c) => ATTRIBUTE[c])}${close}`);
}

/**
 * A streamed HTML page: `head` at once, then whatever `view` resolves to (markup, already escaped), then `tail`.
 * @param {{head: string, tail: string}} parts @param {Promise<string>} view
 */
export function streamPage({ head, tail }, view) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async start(controller) {
      controller.enqueue(encoder.encode(head));
      // The view's own errors are pages already (the local server renders them); anything else ends the page
      // without a view rather than cutting it off mid-document.
      controller.enqueue(encoder.encode(await view.catch(() => '')));
      controller.enqueue(encoder.encode(tail));
      controller.close();
    },
  });
}
