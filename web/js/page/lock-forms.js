/**
 * The app lock's forms in the page, loaded when one is first submitted: setting a lock up (a PIN or passphrase through
 * Argon2id in the KDF worker, or a WebAuthn credential with the PRF extension) and unlocking. What reaches the service
 * worker is the 32-byte output (Argon2id's or the PRF's), by message, never a request; the PIN or passphrase itself
 * goes only to the KDF worker.
 */

import { LOCK_KDF, passphraseProblem, pinProblem } from '../core/lock.js';
import { fromBase64, fromHex } from '../core/bytes.js';
import { estimateStrength } from './strength.js';
import { reopen } from './lock.js';

/** @typedef {(key: string, params?: Record<string, unknown>) => string} Words */

// How long the browser waits for the authenticator before it gives up (it says so then, and the form says why).
const PRF_WAIT_MS = 30_000;

function busy(form, words) {
  const button = form.querySelector('button[type="submit"]');
  button.setAttribute('aria-disabled', 'true');
  button.dataset.label ??= button.textContent;
  button.textContent = words;
  const progress = form.querySelector('[data-progress]');
  if (progress) progress.textContent = words;
}

async function derive(secret, kdf) {
  const { argon2id } = await import('./argon2.js');
  return argon2id(secret, kdf.memoryKib, kdf.iterations, kdf.lanes, kdf.salt);
}

/** A credential of this device's authenticator for the lock, and its PRF output for `prfSalt`. */
async function createPrf(prfSalt, w) {
  const credential = /** @type {PublicKeyCredential} */ (await navigator.credentials.create({ publicKey: {
    rp: { name: 'Between' },
    user: { id: crypto.getRandomValues(new Uint8Array(16)), name: w('lock.prf.user'), displayName: w('lock.prf.user') },
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }],
    authenticatorSelection: { userVerification: 'required', residentKey: 'discouraged' },
    extensions: /** @type {any} */ ({ prf: { eval: { first: prfSalt } } }),
  } }));
  const credId = new Uint8Array(credential.rawId);
  const prf = /** @type {any} */ (credential.getClientExtensionResults()).prf;
  if (!prf?.enabled) throw new Error('no prf');
  // Some authenticators give the output only when asked with get(): ask at once.
  const first = prf.results?.first ?? await getPrf(credId, prfSalt);
  return { credId, output: new Uint8Array(first) };
}

/** The PRF output of credential `credId` for `prfSalt` (the authenticator asks for the fingerprint, face or PIN). */
async function getPrf(credId, prfSalt) {
  const assertion = /** @type {PublicKeyCredential} */ (await navigator.credentials.get({ publicKey: {
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    timeout: PRF_WAIT_MS,
    allowCredentials: [{ type: 'public-key', id: credId }],
    userVerification: 'required',
    extensions: /** @type {any} */ ({ prf: { eval: { first: prfSalt } } }),
  } }));
  const first = /** @type {any} */ (assertion.getClientExtensionResults()).prf?.results?.first;
  if (!first) throw new Error('no prf output');
  return new Uint8Array(first);
}

/**
 * A PIN or passphrase typed twice in `form` (`ids`: the two fields), checked, through Argon2id under a fresh salt:
 * {output, salt}, or the words of the problem. The fields are emptied once derived.
 * @param {HTMLFormElement} form @param {string} method @param {[string, string]} ids @param {Words} w
 * @returns {Promise<{output: Uint8Array, salt: Uint8Array}|{problem: string}>}
 */
async function typedSecret(form, method, [firstId, againId], w) {
  const first = /** @type {HTMLInputElement} */ (form.querySelector(firstId));
  const again = /** @type {HTMLInputElement} */ (form.querySelector(againId));
  if (method === 'pin' && pinProblem(first.value)) return { problem: w('lock.pin.problem') };
  if (method === 'passphrase' && (passphraseProblem(first.value) || estimateStrength(first.value).score < 2)) {
    return { problem: w('lock.passphrase.problem') };
  }
  if (first.value !== again.value) return { problem: w('lock.setup.notSame') };
  busy(form, w('lock.setup.busy'));
  const salt = crypto.getRandomValues(new Uint8Array(16));
  let output;
  try {
    output = await derive(first.value, { ...LOCK_KDF, salt });
  } catch {
    return { problem: w('lock.form.failed') };
  }
  first.value = '';
  again.value = '';
  return { output, salt };
}

/** @type {Record<string, [string, string]>} the two fields of each secret: the method's, and a PRF lock's fallback's */
const FIELDS = { pin: ['#lock-pin', '#lock-pin2'], passphrase: ['#lock-pass', '#lock-pass2'] };
/** @type {Record<string, [string, string]>} */
const FALLBACK_FIELDS = { pin: ['#lock-fb-pin', '#lock-fb-pin2'], passphrase: ['#lock-fb-pass', '#lock-fb-pass2'] };

/** Set a lock up (or change it). */
async function setup(form, { ask, refuse, htmx, w }) {
  const method = /** @type {HTMLInputElement|null} */ (form.querySelector('input[name="method"]:checked'))?.value ?? 'pin';
  const minutes = Number(/** @type {HTMLSelectElement|null} */ (form.querySelector('select[name="minutes"]'))?.value ?? 5);
  let message;
  if (method === 'prf') {
    // The fallback first (its PIN or passphrase checked and derived), so a typo is said before the authenticator asks.
    const choice = /** @type {HTMLInputElement|null} */ (form.querySelector('input[name="fallback"]:checked'))?.value;
    let fallback = null;
    if (choice === 'pin' || choice === 'passphrase') {
      const typed = await typedSecret(form, choice, FALLBACK_FIELDS[choice], w);
      if ('problem' in typed) return refuse(form, typed.problem);
      fallback = { method: choice, ...typed };
    }
    busy(form, w('lock.setup.busy.prf'));
    const prfSalt = crypto.getRandomValues(new Uint8Array(32));
    try {
      const { credId, output } = await createPrf(prfSalt, w);
      message = { type: 'lock-setup', method, output, credId, prfSalt, minutes, fallback };
    } catch {
      return refuse(form, w('lock.prf.setupFailed'));
    }
  } else {
    const typed = await typedSecret(form, method, FIELDS[method === 'pin' ? 'pin' : 'passphrase'], w);
    if ('problem' in typed) return refuse(form, typed.problem);
    message = { type: 'lock-setup', method, ...typed, minutes };
  }
  const answer = await ask(message);
  if (!answer?.ok) return refuse(form, answer?.error ?? w('lock.form.failed'));
  await htmx.ajax('GET', '/app/settings/lock?done=1', { target: '#view' });
  history.replaceState({}, '', '/app/settings/lock');
}

/** One try to unlock: the worker counts wrong ones and says how it went on the lock screen it renders again. */
async function unlock(form, { ask, refuse, htmx, w }) {
  const method = form.dataset.method;
  let output;
  if (method === 'prf') {
    busy(form, w('lock.unlock.busy.prf'));
    try {
      output = await getPrf(fromBase64(form.dataset.cred), fromBase64(form.dataset.prfSalt));
    } catch {
      return refuse(form, w('lock.prf.failed'));
    }
  } else {
    const field = /** @type {HTMLInputElement} */ (form.querySelector('#lock-secret'));
    if (!field.value) return refuse(form, method === 'pin' ? w('lock.pin.empty') : w('lock.passphrase.empty'));
    busy(form, w('lock.unlock.busy'));
    try {
      output = await derive(field.value, { memoryKib: Number(form.dataset.memory),
        iterations: Number(form.dataset.iterations), lanes: Number(form.dataset.lanes), salt: fromHex(form.dataset.salt) });
    } catch {
      return refuse(form, w('lock.form.failed'));
    }
    field.value = '';
  }
  const answer = await ask({ type: 'lock-unlock', method, output });
  if (answer?.ok) return reopen(); // the worker tells every other page too (page/lock.js)
  if (answer?.forgotten) {
    location.assign('/app/lock/forgotten');
    return undefined;
  }
  await htmx.ajax('GET', '/app/lock', { target: '#view' });
  return undefined;
}

/**
 * @param {HTMLFormElement} form
 * @param {{ask: (data: object) => Promise<any>, refuse: (form: HTMLFormElement, words: string) => void, htmx: any,
 *   words: () => Promise<Words>}} io
 */
export async function runLockForm(form, { ask, refuse, htmx, words }) {
  const w = await words();
  const ctx = { ask, refuse, htmx, w };
  if (form.dataset.lockForm === 'setup') return setup(form, ctx);
  return unlock(form, ctx);
}
