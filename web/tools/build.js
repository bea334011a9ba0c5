/**
 * Writes web/dist/: the app as served, each file minified on its own by esbuild (no bundling), vendor files copied,
 * and the one bundle: the classic service worker (sw-classic.js), for browsers without module service workers.
 */

import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as bundle, transform } from 'esbuild';

const WEB = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(WEB, 'dist');

// What the server serves from web/ (docs/WEB.md "URLs the server must serve"); never test/, tools/, package*.
const SERVED = ['index.html', 'manifest.webmanifest', 'sw.js', 'css', 'js', 'icons', 'i18n'];
// The vendor files the server maps from node_modules/, already minified upstream: the server's list is the one list.
const VENDOR_JSON = join(WEB, '..', 'server', 'vendor.json');

/** The vendor files' paths under web/ (server/vendor.json). @returns {Promise<string[]>} */
export async function vendorFiles() {
  return Object.values(JSON.parse(await readFile(VENDOR_JSON, 'utf8')).files);
}

async function* files(path) {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
  if (!entries) {
    yield path;
    return;
  }
  for (const entry of entries) yield* files(join(path, entry.name));
}

/** One file as served: modules and the stylesheet minified one by one, everything else as it is. */
export async function minified(path) {
  const source = await readFile(path);
  if (path.endsWith('.js')) {
    // Per module, format kept (ES modules stay ES modules, imports untouched): the browser loads the same graph.
    const out = await transform(source.toString('utf8'), { loader: 'js', format: 'esm', minify: true, target: 'es2022',
      legalComments: 'none', charset: 'utf8' });
    return out.code;
  }
  if (path.endsWith('.css')) {
    return (await transform(source.toString('utf8'), { loader: 'css', minify: true, charset: 'utf8' })).code;
  }
  return source;
}

// The classic worker: sw.js with every module it imports in one script, no `import` left (docs/WEB.md "Browsers").
export const CLASSIC_WORKER = 'sw-classic.js';

/**
 * The classic service worker: sw.js and its module graph bundled into one script (an IIFE), minified, written to
 * `dir`. The app's imports are from the site's root (`/js/...`): they resolve to web/. The version mark stays, once,
 * for the server to fill in as it does in sw.js. Returns the file and the modules it holds (paths under web/).
 * @returns {Promise<{file: string, inputs: string[]}>}
 */
export async function buildClassicWorker(dir = DIST) {
  const root = { name: 'site-root', setup(b) { b.onResolve({ filter: /^\/js\// }, (args) => ({ path: join(WEB, args.path) })); } };
  const out = await bundle({ entryPoints: [join(WEB, 'sw.js')], absWorkingDir: WEB, bundle: true, format: 'iife', minify: true, write: false,
    target: 'es2022', legalComments: 'none', charset: 'utf8', metafile: true, plugins: [root], logLevel: 'silent' });
  const file = join(dir, CLASSIC_WORKER);
  await mkdir(dir, { recursive: true });
  await writeFile(file, out.outputFiles[0].contents);
  const inputs = Object.keys(out.metafile.inputs); // relative to web/ (absWorkingDir)
  return { file, inputs: inputs.sort() };
}

export async function build() {
  await rm(DIST, { recursive: true, force: true });
  let count = 0;
  for (const top of SERVED) {
    for await (const path of files(join(WEB, top))) {
      const target = join(DIST, relative(WEB, path));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, await minified(path));
      count += 1;
    }
  }
  const vendor = await vendorFiles();
  for (const path of vendor) {
    const target = join(DIST, path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(WEB, path), target);
  }
  await buildClassicWorker();
  return count + vendor.length + 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--classic')) {
    // Only the classic worker (the browser tests and bench/bench_worker_size.py): what it holds, as JSON.
    console.log(JSON.stringify(await buildClassicWorker()));
  } else {
    const n = await build();
    console.log(`web/dist: ${n} files`);
  }
}
