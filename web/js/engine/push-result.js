/**
 * What the sync engine does with the server's verdict on one pushed outbox item (docs/PROTOCOL.md §17, Push).
 * tests/vectors/push.json holds every verdict the server's push rules give; web/test/engine/push-result.test.js reads
 * them all through this function.
 */

/** @typedef {'acknowledge' | 'pull' | 'keep'} PushOutcome */

/**
 * `ok` (written now, or stored before: a replay) is acknowledged; `conflict` asks for a pull, a merge and another
 * push; anything else keeps the item in the outbox with the server's status as its reason. None without a verdict
 * (the answer left the item out): it stays pending, untouched.
 * @param {{ status: string } | undefined} result
 * @returns {PushOutcome | null}
 */
export function pushOutcome(result) {
  if (!result) return null;
  if (result.status === 'ok') return 'acknowledge';
  if (result.status === 'conflict') return 'pull';
  return 'keep';
}
