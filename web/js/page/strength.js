/** A rough passphrase strength estimate for the meter: length and variety, with common patterns penalised. */

export const MIN_LENGTH = 10;
const COMMON = /^(?:password|passwort|qwerty|azerty|letmein|iloveyou|welcome|admin|123456|abc123|111111)/i;

/**
 * Score 0..4 (its words: `app.strength.*` in the catalogue, app.js). Bits are estimated from the character pool per code point, halved for
 * runs and repeats; several words separated by spaces earn the pool of a word list instead.
 * @param {string} passphrase @returns {{score: number, bits: number}}
 */
export function estimateStrength(passphrase) {
  const chars = [...passphrase];
  if (chars.length < MIN_LENGTH) return { score: 0, bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[^a-zA-Z0-9\s]/.test(passphrase)) pool += 33;
  if (/[^\x00-\x7f]/.test(passphrase)) pool += 100;
  const distinct = new Set(chars).size;
  // Repeated characters and keyboard runs add little: count distinct characters more than the length.
  let bits = Math.log2(Math.max(pool, 2)) * Math.min(chars.length, distinct * 2);
  const words = passphrase.trim().split(/\s+/).filter((w) => w.length >= 3);
  if (words.length >= 3) bits = Math.max(bits, words.length * 11); // ~2000-word vocabulary per word
  if (COMMON.test(passphrase.trim()) || distinct <= 3) bits = Math.min(bits, 20);
  const score = bits < 35 ? 1 : bits < 55 ? 2 : bits < 75 ? 3 : 4;
  return { score, bits: Math.round(bits) };
}
