// core/zip.js: CRC-32 against known values, and archives that Python's zipfile reads back byte for byte (its
// testzip() checks every CRC), with UTF-8 names and the times given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, dosTime, safeName, zipParts } from '../../js/core/zip.js';

const utf8 = new TextEncoder();
const join2 = (parts) => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length)));

/** What Python's zipfile reads from `bytes`: testzip's verdict and each member's name, size, time and content. */
function readWithPython(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
  try {
    const file = join(dir, 'copy.zip');
    writeFileSync(file, bytes);
    const script = `
import base64, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    out = [{"name": i.filename, "size": i.file_size, "method": i.compress_type, "time": list(i.date_time),
            "data": None if bad else base64.b64encode(z.read(i)).decode()} for i in z.infolist()]
print(json.dumps({"bad": bad, "files": out}))`;
    return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('crc32 gives the standard check values', () => {
  assert.equal(crc32(utf8.encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(utf8.encode('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  // continuing a CRC over two pieces is the CRC of the whole
  const whole = utf8.encode('hello, world');
  assert.equal(crc32(whole.subarray(5), crc32(whole.subarray(0, 5))), crc32(whole));
});

test('Python reads every file back, stored, with its bytes, UTF-8 name and time', () => {
  const random = new Uint8Array(200_003);
  for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
  const files = [
    { name: 'between-entries.json', bytes: utf8.encode('[{"id": "x", "kind": "voice"}]\n') },
    { name: 'attachments/2b6f0a4e-0000-4000-8000-000000000001/9c1d.webm', bytes: random },
    { name: 'notas/diario – día 1.txt', bytes: utf8.encode('¿Cómo estás?') },
    { name: 'empty.txt', bytes: new Uint8Array(0) },
  ];
  const when = new Date(Date.UTC(2026, 11, 8, 14, 5, 31));
  const read = readWithPython(join2(zipParts(files, when)));
  assert.equal(read.bad, null);
  assert.deepEqual(read.files.map((f) => f.name), files.map((f) => f.name));
  for (const [i, f] of read.files.entries()) {
    assert.equal(f.method, 0);
    assert.equal(f.size, files[i].bytes.length);
    assert.deepEqual(Buffer.from(f.data, 'base64'), Buffer.from(files[i].bytes));
    assert.deepEqual(f.time, [2026, 12, 8, 14, 5, 30]); // DOS times count in 2 s
  }
});

test('an empty archive is a valid zip', () => {
  const read = readWithPython(join2(zipParts([])));
  assert.deepEqual(read, { bad: null, files: [] });
});

test('a damaged byte is caught by the CRC Python checks', () => {
  const bytes = join2(zipParts([{ name: 'a.bin', bytes: utf8.encode('attachment bytes') }]));
  bytes[30 + 'a.bin'.length + 3] ^= 1; // inside the stored data
  assert.equal(readWithPython(bytes).bad, 'a.bin');
});

test('names that could leave the folder, repeat or hold controls are refused', () => {
  for (const name of ['', '/abs', 'a/../b', 'a//b', 'a\\b', './a', 'a\u0000', 'a/']) assert.equal(safeName(name), false, name);
  assert.equal(safeName('attachments/r/a.webm'), true);
  assert.throws(() => zipParts([{ name: '../x', bytes: new Uint8Array(1) }]));
  assert.throws(() => zipParts([{ name: 'a', bytes: new Uint8Array(1) }, { name: 'a', bytes: new Uint8Array(1) }]));
});

test('DOS times: fields packed, years before 1980 held at 1980', () => {
  assert.deepEqual(dosTime(new Date(Date.UTC(1980, 0, 1, 0, 0, 0))), { date: (1 << 5) | 1, time: 0 });
  assert.equal(dosTime(new Date(Date.UTC(1970, 5, 1))).date >> 9, 0);
});
