// The build (tools/build.js) copies the vendor files the server maps: the server's list (server/vendor.json) is the
// one list, and every file on it is there to copy once the dependencies are installed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import test from 'node:test';

import { vendorFiles } from '../../tools/build.js';

const WEB = new URL('../../', import.meta.url);

test('the build copies exactly the files of the server\'s vendor list, and each is installed', async () => {
  const served = JSON.parse(readFileSync(new URL('../server/vendor.json', WEB), 'utf8')).files;
  const files = await vendorFiles();
  assert.deepEqual(files, Object.values(served));
  assert.ok(files.length >= 3);
  for (const path of files) assert.ok(existsSync(new URL(path, WEB)), `${path} is missing: run make install`);
});
