/** Writes web/dist/: the app as served, each file minified on its own by esbuild (no bundling), vendor files copied. */

import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const WEB = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(WEB, 'dist');

// What the server serves from web/ (docs/WEB.md "URLs the server must serve"); never test/, tools/, package*.
const SERVED = ['index.html', 'manifest.webmanifest', 'sw.js', 'css', 'js', 'icons'];
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
  return count + vendor.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = await build();
  console.log(`web/dist: ${n} files`);
}
