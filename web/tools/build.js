/** Writes web/dist/: the app as served, each file minified on its own by esbuild (no bundling), vendor files copied. */

import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const WEB = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(WEB, 'dist');

// What the server serves from web/ (docs/WEB.md "URLs the server must serve"); never test/, tools/, package*.
const SERVED = ['index.html', 'manifest.webmanifest', 'sw.js', 'css', 'js', 'icons'];
// Vendor files the server maps from node_modules/ (server/web.py extra_files): already minified upstream.
const VENDOR = ['node_modules/htmx.org/dist/htmx.esm.min.js', 'node_modules/hash-wasm/dist/argon2.umd.min.js',
  'node_modules/qrcode-generator/dist/qrcode.mjs'];

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
  for (const vendor of VENDOR) {
    const target = join(DIST, vendor);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(WEB, vendor), target);
  }
  return count + VENDOR.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = await build();
  console.log(`web/dist: ${n} files`);
}
