/** The Argon2id worker: hash-wasm's UMD build sets globalThis.hashwasm when this module imports it. */

import '/vendor/argon2.js';

self.onmessage = async ({ data }) => {
  const { id, password, salt, memoryKib, iterations, lanes } = data;
  try {
    const out = await globalThis.hashwasm.argon2id({
      password, salt, parallelism: lanes, iterations, memorySize: memoryKib, hashLength: 32, outputType: 'binary',
    });
    self.postMessage({ id, out: out.buffer }, [out.buffer]);
  } catch {
    self.postMessage({ id, out: null });
  } finally {
    password.fill(0);
  }
};
