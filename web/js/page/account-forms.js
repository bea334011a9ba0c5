/**
 * The account forms whose fields are secrets (sign up, sign in, change the passphrase, delete the account), loaded
 * by app.js when one is first submitted. A passphrase goes only to the Argon2id worker; what reaches the service
 * worker is its output (or a recovery key's text), by message (`ask`), never as a request. `done` shows the screen
 * the worker answers with; `refuse` stops the form with words in its alert (app.js, which also needs it when this
 * module cannot load).
 */

import { estimateStrength } from './strength.js';
import { pageWords } from './words.js';

/**
 * The step at work: the button says what is happening and a status line says it aloud. The button stays focusable
 * (aria-disabled, not disabled: a disabled button would drop keyboard focus to the page); app.js ignores a second
 * press while the form runs, and its `refuse` (in ctx) puts the form back as it was, with the words in its alert.
 */
function busy(form, words) {
  const button = form.querySelector('button[type="submit"]');
  button.setAttribute('aria-disabled', 'true');
  button.dataset.label ??= button.textContent;
  button.textContent = words;
  const progress = form.querySelector('[data-progress]');
  if (progress) progress.textContent = words;
}

async function derive(passphrase, kdf) {
  const { argon2id } = await import('./argon2.js');
  return argon2id(passphrase, kdf.memoryKib, kdf.iterations, kdf.lanes, kdf.salt);
}

const HANDLE = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/**
 * The login key's Argon2id output for a passphrase, under the parameters the server keeps for the account
 * (`prelogin`: a handle, or `own` for the signed-in one); null once the form was stopped with words.
 */
async function passphraseKey(form, { ask, refuse }, passphrase, prelogin) {
  const w = await pageWords();
  const pre = await ask(prelogin);
  if (!pre.ok) {
    refuse(form, pre.error);
    return null;
  }
  try {
    return await derive(passphrase, pre.kdf);
  } catch {
    refuse(form, w('account.form.cannotCheck'));
    return null;
  }
}

/** Fresh parameters for a new passphrase: the default Argon2id cost (64 MiB, t=3) and a new salt. */
const freshKdf = () => ({ alg: 'argon2id', memoryKib: 65536, iterations: 3, lanes: 1,
  salt: crypto.getRandomValues(new Uint8Array(16)) });

/** What is wrong with a new passphrase and its repetition (`what` they are called here), or null. */
function newPassphraseProblem(w, pass, again, fresh = false) {
  if (estimateStrength(pass.value).score < 2) return w('account.form.weak');
  return pass.value === again.value ? null : w(fresh ? 'account.form.newNotSame' : 'account.form.notSame');
}

async function signup(form, { ask, done, refuse }) {
  const w = await pageWords();
  const handle = form.querySelector('#a-handle').value.trim().toLowerCase();
  const pass = form.querySelector('#a-pass');
  const again = form.querySelector('#a-pass2');
  if (!HANDLE.test(handle)) return refuse(form, w('account.form.badHandle'));
  const problem = newPassphraseProblem(w, pass, again);
  if (problem) return refuse(form, problem);
  busy(form, w('account.form.protecting'));
  const kdf = freshKdf(); // Argon2id runs in the KDF worker, so the page stays responsive
  let prk;
  try {
    prk = await derive(pass.value, kdf);
  } catch {
    return refuse(form, w('account.form.cannotProtect'));
  }
  pass.value = '';
  again.value = '';
  busy(form, w('account.form.creating'));
  const role = form.querySelector('input[name="role"]:checked')?.value === 'therapist' ? 'therapist' : 'client';
  const inviteCode = form.querySelector('#a-code')?.value.trim() ?? '';
  const answer = await ask({ type: 'signup', handle, kdf, prk, role, inviteCode });
  prk.fill(0);
  if (!answer.ok) {
    return refuse(form, answer.error);
  }
  return done(answer.html, '/app/account');
}

async function signin(form, { ask, done, refuse }) {
  const w = await pageWords();
  const handle = form.querySelector('#s-handle').value.trim().toLowerCase();
  const method = form.querySelector('input[name="method"]:checked').value;
  const pass = form.querySelector('#s-pass');
  const recovery = form.querySelector('#s-recovery');
  if (!HANDLE.test(handle)) return refuse(form, w('account.form.enterHandle'));
  busy(form, w('account.form.signingIn'));
  let answer;
  if (method === 'recovery') {
    answer = await ask({ type: 'login', handle, recoveryText: recovery.value });
  } else {
    const prk = await passphraseKey(form, { ask, refuse }, pass.value, { type: 'prelogin', handle });
    if (!prk) return;
    answer = await ask({ type: 'login', handle, prk });
    prk.fill(0);
  }
  if (!answer.ok) {
    return refuse(form, answer.error);
  }
  pass.value = '';
  recovery.value = '';
  return done(answer.html, '/app/account');
}

/**
 * A new passphrase: the current one is checked by signing the change with its login key (Argon2id under the
 * server's current parameters), the new one gets fresh parameters; only the two Argon2id outputs reach the worker.
 */
async function changePassphrase(form, { ask, done, refuse }) {
  const w = await pageWords();
  const byRecovery = form.querySelector('input[name="method"]:checked')?.value === 'recovery';
  const current = form.querySelector('#p-current');
  const recovery = form.querySelector('#p-recovery');
  const pass = form.querySelector('#a-pass');
  const again = form.querySelector('#a-pass2');
  if (byRecovery ? !recovery.value.trim() : !current.value) {
    return refuse(form, w(byRecovery ? 'account.form.enterRecovery' : 'account.form.enterCurrent'));
  }
  const problem = newPassphraseProblem(w, pass, again, true);
  if (problem) return refuse(form, problem);
  if (!byRecovery && pass.value === current.value) {
    return refuse(form, w('account.form.sameAsCurrent'));
  }
  busy(form, w(byRecovery ? 'account.form.checkingRecovery' : 'account.form.checkingCurrent'));
  const pre = await ask({ type: 'prelogin', own: true });
  if (!pre.ok) {
    return refuse(form, pre.error);
  }
  const kdf = freshKdf();
  let currentPrk = null;
  let prk;
  try {
    if (!byRecovery) currentPrk = await derive(current.value, pre.kdf);
    busy(form, w('account.form.protectingNew'));
    prk = await derive(pass.value, kdf);
  } catch {
    return refuse(form, w('account.form.cannotProtect'));
  }
  const answer = await ask({ type: 'change-passphrase', currentPrk, recoveryText: byRecovery ? recovery.value : null,
    kdf, prk });
  currentPrk?.fill(0);
  prk.fill(0);
  if (!answer.ok) {
    return refuse(form, answer.error);
  }
  current.value = '';
  recovery.value = '';
  pass.value = '';
  again.value = '';
  return done(answer.html, '/app/more'); // the More screen, where the change began, says it is done
}

/** Delete the account: the name typed as asked, then the passphrase's Argon2id output signs the deletion. */
async function deleteAccount(form, { ask, done, refuse }) {
  const w = await pageWords();
  const name = form.querySelector('#d-handle');
  const pass = form.querySelector('#d-pass');
  if (name.value.trim().toLowerCase() !== name.dataset.expect) {
    return refuse(form, w('account.form.typeName', { handle: name.dataset.expect }));
  }
  if (!pass.value) return refuse(form, w('account.form.enterPassphrase'));
  busy(form, w('account.form.checking'));
  const prk = await passphraseKey(form, { ask, refuse }, pass.value, { type: 'prelogin', own: true });
  if (!prk) return;
  busy(form, w('account.form.deleting'));
  const answer = await ask({ type: 'delete-account', prk });
  prk.fill(0);
  if (!answer.ok) {
    return refuse(form, answer.error);
  }
  pass.value = '';
  return done(answer.html, '/app/account');
}

const FORMS = { signup, signin, passphrase: changePassphrase, 'delete-account': deleteAccount };

/**
 * Run the form marked `data-secret`; its own alert says what went wrong.
 * @param {HTMLFormElement} form
 * @param {{ask: (data: object) => Promise<any>, done: (markup: string, path: string) => void,
 *   refuse: (form: HTMLFormElement, words: string) => void}} ctx
 */
export async function runSecretForm(form, ctx) {
  const run = FORMS[form.dataset.secret] ?? signin;
  try {
    await run(form, ctx);
  } catch {
    ctx.refuse(form, (await pageWords())('account.problem.other'));
  }
}
