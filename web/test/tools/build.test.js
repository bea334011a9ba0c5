// The build (tools/build.js): each file minified on its own, the worker's version mark kept, and the vendor files
// the server maps copied: the server's list (server/vendor.json) is the one list, and every file on it is there to
// copy once the dependencies are installed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { minified, vendorFiles } from '../../tools/build.js';

const WEB = new URL('../../', import.meta.url);
const WORKER = fileURLToPath(new URL('sw.js', WEB));

test('the minified worker keeps its VERSION mark once, for the server to put the version in', async () => {
  const out = String(await minified(WORKER));
  assert.equal(out.split('__SHELL_VERSION__').length - 1, 1);
  // as a string the server can find and replace, in whatever declaration the minifier made of it
  assert.match(out, /(?:const |,)[\w$]+="__SHELL_VERSION__"[,;]/);
});

test('the build copies exactly the files of the server\'s vendor list, and each is installed', async () => {
  const served = JSON.parse(readFileSync(new URL('../server/vendor.json', WEB), 'utf8')).files;
  const files = await vendorFiles();
  assert.deepEqual(files, Object.values(served));
  assert.ok(files.length >= 3);
  for (const path of files) assert.ok(existsSync(new URL(path, WEB)), `${path} is missing: run make install`);
});

test('the classic worker is sw.js and its whole module graph as one classic script, with the version mark once',
  async () => {
    const { mkdtemp, readFile: read, rm: remove } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Script } = await import('node:vm');
    const { buildClassicWorker } = await import('../../tools/build.js');
    const dir = await mkdtemp(join(tmpdir(), 'classic-'));
    try {
      const { file, inputs } = await buildClassicWorker(dir);
      const code = await read(file, 'utf8');
      assert.doesNotThrow(() => new Script(code), 'compiles as a classic script: no import or export left');
      assert.equal(code.split('__SHELL_VERSION__').length - 1, 1);
      for (const module of ['sw.js', 'js/engine/local-server.js', 'js/screens/features.js', 'js/engine/storage.js',
        'js/screens/storage/storage-routes.js']) assert.ok(inputs.includes(module), module);
      assert.ok(!inputs.some((path) => path.startsWith('js/page/')), 'nothing of the page');
    } finally {
      await remove(dir, { recursive: true, force: true });
    }
  });
