/**
 * Every feature of the app, each registered by the local server the same way: `register(router, app)` adds the
 * feature's routes to the router (their order does not matter: the router ranks them) and returns the router.
 * Also the rest of what the local server (engine/local-server.js) takes from the screens: this module is the one
 * it may import from screens/ (web/test/layers.test.js), so everything it serves comes through here.
 */

import { accountMessages, register as account } from './account/account-routes.js';
import { register as assign } from './assign/assign-routes.js';
import { register as attachments } from './attachments/attachment-routes.js';
import { register as care } from './care/care-routes.js';
import { register as entry } from './entry/entry-routes.js';
import { register as exportCopy } from './export/export.js';
import { lockMessages, register as lock } from './lock/lock-routes.js';
import { register as more } from './more/more-routes.js';
import { entryPanel, register as share } from './share/share-routes.js';
import { register as storage } from './storage/storage-routes.js';
import { register as todo } from './todo/todo-routes.js';
import { register as today } from './today/today-routes.js';
import { register as progress } from './progress/progress-routes.js';
import { register as reminders } from './reminders/reminders-routes.js';
import { register as practice } from './practice/practice-routes.js';
import { register as safety } from './safety/safety-routes.js';
import { register as planContact } from './safety/contact-routes.js';

// The page's secret-carrying messages (account steps), the sharing panel under an entry, the server's own pages.
// The app lock's messages (set up, unlock, lock now, the vault key for a page).
export { accountMessages, entryPanel, lockMessages };
export { failed, foreignRefused, notAllowed } from './server-pages.js';

/**
 * What the local server gives every feature; each takes the parts it needs.
 * @typedef {object} App
 * @property {() => Promise<any>} load the database, this device's unlocked keys, its settings and the kinds
 * @property {() => Promise<import('../data/api.js').Api|null>} [sessionApi] the API with this account's session
 * @property {string} [origin] this app's origin (the API's too)
 * @property {() => Promise<Map<string, import('../core/assignments.js').Template>>} [templates] the template library
 *   (templates.json as templateTable)
 * @property {() => void} [changed] after a local write: sync soon
 * @property {ReturnType<typeof import('../engine/account.js').createAccounts>} [accounts]
 * @property {ReturnType<typeof import('../engine/sync.js').createSync>} [sync]
 * @property {ReturnType<typeof import('../engine/uploads.js').createUploads>} [uploads] the attachments' upload queue:
 *   `run({force})` sends what is due (everything waiting, with `force`)
 * @property {ReturnType<typeof import('../engine/share.js').createSharing>} [sharing]
 * @property {ReturnType<typeof import('../engine/storage.js').createStorage>} [storage] this device's storage: its
 *   state (where entries live, kept or not, space), the notice put away, freeing space
 * @property {(id: string) => Promise<unknown>} [panel] the sharing panel under an entry, or null
 * @property {() => Date} [now] the clock (tests set it)
 * @property {ReturnType<typeof import('../engine/reminders.js').createReminders>} [reminders] this device's reminders:
 *   choices, fire times, opting in and out, what the server holds
 * @property {() => Promise<string>} [home] the address of the person's home screen (Today, or a therapist's Clients)
 * @property {{device: () => string, keep: (language: string) => Promise<boolean>, changed: () => void}} [languages]
 *   the language setting's machinery: the language the browser's languages pick (`device`), a language's catalogue
 *   made sure of on this device, fetched and kept for offline use if need be (`keep`: false when it cannot be), and
 *   `changed`: the setting changed, the next request puts the new language in use
 * @property {ReturnType<typeof import('../engine/lock.js').createLock>} [lock] the app lock: locked or not, set up,
 *   unlock, lock now
 * @property {() => Promise<import('../core/crisis-lines.js').CrisisLines>} [crisisLines] the operator's crisis lines:
 *   the worker's cached copy of GET /api/v1/crisis-lines (NO_LINES when it has none); reads no key
 */

/**
 * @typedef {import('../engine/router.js').Router} Router
 * @type {Record<string, (router: Router, app: App) => Router>}
 */
export const FEATURES = { account, assign, attachments, care, entry, export: exportCopy, lock, more, planContact, practice,
  progress, reminders, safety, share, storage, today, todo };
