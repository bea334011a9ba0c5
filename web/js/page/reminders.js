/**
 * Reminders, the page's part: on "Turn on reminders" (Reminders screen), ask for permission to show notifications
 * (which needs the tap), subscribe with the browser's push service under the server's key, and hand the subscription
 * to the worker, which registers it with the server (docs/WEB.md "Reminders"). The words come from the screen's data
 * attributes (the worker's catalogue).
 */

/** Bytes of unpadded base64url. @param {string} text */
const bytesOf = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/**
 * @param {{view: HTMLElement, ask: (data: object) => Promise<any>, reload: () => Promise<unknown>}} io
 */
export function watchReminders({ view, ask, reload }) {
  view.addEventListener('click', async (event) => {
    const button = /** @type {HTMLButtonElement|null} */ (/** @type {Element} */ (event.target)
      .closest?.('[data-reminders-on]'));
    if (!button) return;
    const status = view.querySelector('[data-reminders-status]');
    const say = (key) => { if (status) status.textContent = button.dataset[key] ?? ''; };
    if (!('Notification' in window) || !('PushManager' in window)) {
      say('unsupported');
      return;
    }
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') {
        say('denied');
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const key = bytesOf(button.dataset.key ?? '');
      const subscription = (await registration.pushManager.getSubscription())
        ?? await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      const answer = await ask({ type: 'reminders-subscribe', subscription: subscription.toJSON() });
      if (!answer?.ok) {
        say('failed');
        return;
      }
      await reload();
    } catch {
      say('failed');
    } finally {
      button.disabled = false;
    }
  });
}
