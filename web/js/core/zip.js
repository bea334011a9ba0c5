/**
 * A small zip writer for "Save a copy" (APPNOTE.TXT 6.3.10): every file stored as it is (method 0, no compression:
 * the recordings and photos are compressed already), with its CRC-32, UTF-8 names (flag bit 11), no zip64 (a copy
 * stays far below 4 GiB). Pure: it returns the archive's parts, which the caller joins (a Blob in the worker).
 */

const utf8 = new TextEncoder();

/** The CRC-32 table of the zip format (polynomial 0xEDB88320, reflected). */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes` (continuing from `crc` when given). @param {Uint8Array} bytes @param {number} [crc] */
export function crc32(bytes, crc = 0) {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** MS-DOS date and time of a Date, in its UTC fields (what a copy's times are in), from 1980 on. @param {Date} when */
export function dosTime(when) {
  const year = Math.min(Math.max(when.getUTCFullYear(), 1980), 2107);
  const date = ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  const time = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2);
  return { date, time };
}

/** The most bytes an archive without zip64 can hold (every offset and size is 32 bits). */
export const MAX_ZIP_BYTES = 0xffffffff;

/** A name a zip may hold: relative, `/`-separated, no `..` or empty part, no backslash or control character. */
export function safeName(name) {
  return typeof name === 'string' && name.length > 0 && !name.startsWith('/') && !/[\\\x00-\x1f\x7f]/.test(name)
    && name.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * The archive of `files`, in their order, as parts to join (no copy of the files' bytes is made).
 * @param {{name: string, bytes: Uint8Array}[]} files @param {Date} [when] every file's modification time
 * @returns {Uint8Array[]}
 */
export function zipParts(files, when = new Date()) {
  const { date, time } = dosTime(when);
  const parts = [];
  const central = [];
  const names = new Set();
  let offset = 0;
  for (const file of files) {
    if (!safeName(file.name)) throw new Error('a zip entry needs a relative name');
    if (names.has(file.name)) throw new Error('two zip entries with one name');
    names.add(file.name);
    const name = utf8.encode(file.name);
    const size = file.bytes.length;
    const crc = crc32(file.bytes);
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true); // local file header
    l.setUint16(4, 20, true); // version needed: 2.0
    l.setUint16(6, 0x0800, true); // bit 11: the name is UTF-8
    l.setUint16(8, 0, true); // stored
    l.setUint16(10, time, true);
    l.setUint16(12, date, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, size, true);
    l.setUint32(22, size, true);
    l.setUint16(26, name.length, true);
    l.setUint16(28, 0, true); // no extra field
    local.set(name, 30);
    const entry = new Uint8Array(46 + name.length);
    const c = new DataView(entry.buffer);
    c.setUint32(0, 0x02014b50, true); // central directory header
    c.setUint16(4, 0x0314, true); // made by: 2.0, Unix (so the attributes below mean rw-r--r--)
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint16(10, 0, true);
    c.setUint16(12, time, true);
    c.setUint16(14, date, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, size, true);
    c.setUint32(24, size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(38, (0o100644 << 16) >>> 0, true); // external attributes: a regular file, rw-r--r--
    c.setUint32(42, offset, true);
    entry.set(name, 46);
    central.push(entry);
    parts.push(local, file.bytes);
    offset += local.length + size;
    if (offset > MAX_ZIP_BYTES) throw new Error('the copy is too large for a zip without zip64');
  }
  const directorySize = central.reduce((n, e) => n + e.length, 0);
  if (files.length > 0xffff || offset + directorySize > MAX_ZIP_BYTES) {
    throw new Error('the copy is too large for a zip without zip64');
  }
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true); // end of central directory
  e.setUint16(8, files.length, true);
  e.setUint16(10, files.length, true);
  e.setUint32(12, directorySize, true);
  e.setUint32(16, offset, true);
  return [...parts, ...central, end];
}
