/** The page: register the service worker, hold every click until it controls the page, then start htmx. */

const view = document.getElementById('view');

function say(message) {
  const status = document.getElementById('boot');
  if (status) status.textContent = message;
}

/** Resolves once a service worker controls this page: before that, requests would go to the network. */
function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
  });
}

/** Move focus to the new view's heading (or its error) so screen readers hear that the screen changed. */
function focusView(event) {
  if (event.target !== view && !view.contains(event.target)) return;
  const target = view.querySelector('[role="alert"]') ?? view.querySelector('h1');
  if (!target || target.contains(document.activeElement)) return;
  if (document.activeElement?.matches?.('input[type="search"]')) return;
  target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: false });
}

async function start() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    say('This browser cannot keep Between on the device. Open it over https, in an up-to-date browser.');
    return;
  }
  await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
  await controlled();
  // htmx arrives only now, so no element can send a request before the worker answers it.
  const { default: htmx } = await import('/vendor/htmx.js');
  await new Promise((resolve) => setTimeout(resolve)); // htmx initialises itself on the next task
  document.addEventListener('htmx:after:swap', focusView);
  const path = location.pathname.startsWith('/app') ? location.pathname + location.search : '/app/entries';
  await htmx.ajax('GET', path, { target: '#view' });
  document.documentElement.dataset.ready = 'true';
}

start().catch(() => say('Between could not start on this device. Reload the page to try again.'));
