"""The app lock in Chromium, against the real server: locked, IndexedDB and Cache Storage hold no unwrapped key and
no plaintext; a PIN unlocks, and a WebAuthn PRF credential on Chromium's virtual authenticator unlocks only while the
authenticator is there; wrong PINs wait longer and longer and the tenth forgets the device's keys; a locked app shows
nothing of an entry, even at its address."""

from __future__ import annotations

import re

import pytest
from pwa_browser import launch, new_context, open_app, serious_violations
from pwa_live import turn_on_sync
from pwa_screens import create_journal

pytestmark = pytest.mark.browser

PIN = "482915"
SECRET_TITLE = "Lantern over the quarry"
SECRET_BODY = "What I could not say to my sister on Sunday"

# The device's secrets as the app reads them while unlocked (data/device.js in the page's own realm), as hex.
READ_KEYS = """async () => {
  const { openDb } = await import('/js/data/db.js');
  const { unlockDevice, readToken } = await import('/js/data/device.js');
  const { toHex } = await import('/js/core/bytes.js');
  const db = await openDb();
  const me = await unlockDevice(db);
  const token = await readToken(db);
  db.close();
  return { accountKey: toHex(me.accountKey), sigSeed: toHex(me.sigSeed), kemSeed: toHex(me.kemSeed),
    kwk: toHex(me.kwk), token };
}"""

# Everything at rest: every value of every IndexedDB store and every Cache Storage body, as hex of the bytes (strings as
# their UTF-8) and as text; and every CryptoKey found in IndexedDB, by algorithm and usages.
AT_REST = """async () => {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const out = [];
  const keys = [];
  const walk = (v) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') { out.push(v, hex(new TextEncoder().encode(v))); return; }
    if (typeof v !== 'object') { out.push(String(v)); return; }
    if (v instanceof CryptoKey) { keys.push(`${v.algorithm.name}:${v.usages.join(',')}`); return; }
    if (v instanceof ArrayBuffer) v = new Uint8Array(v);
    if (ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      out.push(hex(bytes), new TextDecoder('latin1').decode(bytes));
      return;
    }
    for (const [k, x] of Object.entries(v)) { out.push(k); walk(x); }
  };
  const db = await new Promise((ok, no) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error); });
  for (const name of db.objectStoreNames) {
    const tx = db.transaction(name);
    const [k, v] = await Promise.all([tx.objectStore(name).getAllKeys(), tx.objectStore(name).getAll()]
      .map((r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); })));
    walk(k);
    walk(v);
  }
  db.close();
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const bytes = new Uint8Array(await (await cache.match(request)).arrayBuffer());
      out.push(request.url, hex(bytes), new TextDecoder().decode(bytes));
    }
  }
  return { text: out.join('\\n'), keys };
}"""


def ready(page) -> None:
    """The page's forms are wired (page/lock.js runs once htmx is there): before that a press would do nothing."""
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")


def set_up_pin(page, pin: str = PIN) -> None:
    page.goto(page.url.split("/app")[0] + "/app/settings/lock")
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")  # the page's forms are wired
    page.fill("#lock-pin", pin)
    page.fill("#lock-pin2", pin)
    page.get_by_role("button", name="Turn on the lock").click()
    page.wait_for_selector(".notice[role='status']", timeout=30000)
    assert page.inner_text(".notice[role='status']") == "The app lock is on."


def lock_now(page) -> None:
    page.locator("#lock-now").click()
    page.wait_for_selector("[data-lock-screen]")


def unlock_with_pin(page, pin: str = PIN) -> None:
    ready(page)
    page.fill("#lock-secret", pin)
    page.get_by_role("button", name="Unlock", exact=True).click()


def lock_state(page) -> dict:
    """The attempt state the worker keeps (meta 'lock' in IndexedDB)."""
    # Opened only when it exists (opening makes an empty one), and read only when the app's schema is there: after
    # the tenth wrong try the database is deleted, and the app may be making it again.
    return page.evaluate("""async () => {
      if (!(await indexedDB.databases()).some((d) => d.name === 'between')) return null;
      const db = await new Promise((ok) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result); });
      if (!db.objectStoreNames.contains('meta')) { db.close(); return null; }
      const row = await new Promise((ok) => { const r = db.transaction('meta').objectStore('meta').get('lock');
        r.onsuccess = () => ok(r.result); });
      db.close();
      return row ? { failures: row.failures, notBefore: row.notBefore, lastFailAt: row.lastFailAt } : null;
    }""")


def test_locked_storage_holds_no_key_or_plaintext_and_the_pin_unlocks(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        entry_url = page.url
        assert "/app/entries/" in entry_url
        turn_on_sync(page, "lockpin")  # a session token and the device's sign-in key are kept too
        keys = page.evaluate(READ_KEYS)
        assert keys["token"] and len(keys["accountKey"]) == 64

        set_up_pin(page)
        assert serious_violations(page) == []  # the set-up screen, with the lock on
        assert page.locator("#lock-now").is_visible()
        lock_now(page)
        assert SECRET_TITLE not in page.content()

        rest = page.evaluate(AT_REST)
        for name in ("accountKey", "sigSeed", "kemSeed", "kwk"):
            assert keys[name] not in rest["text"], name
        assert keys["token"] not in rest["text"]
        assert SECRET_TITLE not in rest["text"] and SECRET_BODY not in rest["text"]
        # No key at all is left: no AES key to open the secrets with, and the session's sign-in key (Ed25519) rests
        # sealed under the vault like the token (audit F6), so a copy of the storage cannot get a session.
        assert rest["keys"] == [], rest["keys"]

        # A locked app shows nothing at an entry's address: the lock screen only, with the crisis lines.
        page.goto(entry_url)
        page.wait_for_selector("[data-lock-screen]")
        assert SECRET_TITLE not in page.content() and SECRET_BODY not in page.content()
        assert page.locator("nav").count() == 0
        assert page.locator("a#lock-crisis").get_attribute("href") == "/app/crisis"
        assert serious_violations(page) == []
        # The crisis lines' address is let through while locked (its page is another feature's: without it, the shell).
        page.goto(app_url + "/app/crisis")
        ready(page)
        assert page.locator("[data-lock-screen]").count() == 0
        assert SECRET_TITLE not in page.content()
        page.goto(entry_url)
        page.wait_for_selector("[data-lock-screen]")

        unlock_with_pin(page)
        page.wait_for_selector("article h1")
        assert page.url == entry_url
        assert SECRET_TITLE in page.inner_text("article")
    finally:
        ctx.close()


def virtual_authenticator(page) -> tuple[object, str]:
    """Chromium's virtual authenticator (CDP WebAuthn domain): a platform one with user verification and PRF."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    found = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
                "hasPrf": True,
            }
        },
    )
    return cdp, found["authenticatorId"]


def test_a_prf_credential_unlocks_only_with_its_authenticator(playwright_instance, app_url, tmp_path):
    # WebAuthn needs a domain, not an IP address, as the relying party: the same server as localhost.
    url = re.sub(r"//127\.0\.0\.1:", "//localhost:", app_url)
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        entry_url = page.url
        keys = page.evaluate(READ_KEYS)
        cdp, authenticator = virtual_authenticator(page)

        page.goto(url + "/app/settings/lock")
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        prf = page.get_by_label("Fingerprint, face or security key")
        assert prf.is_enabled()  # the browser says it has PRF (getClientCapabilities)
        prf.check()
        page.get_by_role("button", name="Turn on the lock").click()
        page.wait_for_selector(".notice[role='status']", timeout=30000)
        assert page.inner_text(".notice[role='status']") == "The app lock is on."
        assert "fingerprint, face or security key" in page.inner_text("#lock-now-title + p")

        lock_now(page)
        rest = page.evaluate(AT_REST)
        for name in ("accountKey", "sigSeed", "kemSeed", "kwk"):
            assert keys[name] not in rest["text"], name
        assert SECRET_TITLE not in rest["text"]
        assert rest["keys"] == []  # not signed in: no key at all is left at rest

        page.goto(entry_url)
        page.wait_for_selector("[data-lock-screen]")
        assert SECRET_TITLE not in page.content()
        ready(page)
        unlock = page.get_by_role("button", name="Unlock with fingerprint, face or security key")
        unlock.click()
        page.wait_for_selector("article h1")
        assert SECRET_TITLE in page.inner_text("article")

        # Without the authenticator the same credential cannot be asked, and nothing unwraps.
        lock_now(page)
        cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
        page.get_by_role("button", name="Unlock with fingerprint, face or security key").click()
        alert = page.locator("[data-lock-screen] [data-error]")
        alert.wait_for(state="visible", timeout=90000)
        assert alert.inner_text().startswith("Between could not be unlocked with your fingerprint")
        assert page.locator("[data-lock-screen]").count() == 1
        assert SECRET_TITLE not in page.content()
        # Another authenticator (a new one, or someone else's) does not hold the credential either.
        virtual_authenticator(page)
        page.get_by_role("button", name="Unlock with fingerprint, face or security key").click()
        alert.wait_for(state="visible", timeout=90000)
        page.goto(entry_url)
        page.wait_for_selector("[data-lock-screen]")
        assert SECRET_TITLE not in page.content()
    finally:
        ctx.close()


# The lock row's wraps as stored (meta 'lock'): the method's, and the fallback's with its method.
LOCK_WRAPS = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result); });
  const row = await new Promise((ok) => { const r = db.transaction('meta').objectStore('meta').get('lock');
    r.onsuccess = () => ok(r.result); });
  db.close();
  const hex = (b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return { method: row.method, wrap: hex(row.wrap.ct), fallback: row.fallback ? { method: row.fallback.method,
    wrap: hex(row.fallback.wrap.ct), memoryKib: row.fallback.kdf.memoryKib, salt: hex(row.fallback.kdf.salt) } : null };
}"""


def test_a_prf_lock_with_a_pin_as_well_unlocks_with_the_authenticator_and_with_the_pin_without_it(
    playwright_instance, app_url, tmp_path
):
    """The vault key wrapped twice: under the PRF output and under the fallback PIN's Argon2id output. The credential
    unlocks while its authenticator is there; with the authenticator gone the PRF cannot be asked, and the PIN
    unlocks; a wrong PIN counts toward the same limit as any wrong try."""
    url = re.sub(r"//127\.0\.0\.1:", "//localhost:", app_url)
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        entry_url = page.url
        keys = page.evaluate(READ_KEYS)
        cdp, authenticator = virtual_authenticator(page)

        page.goto(url + "/app/settings/lock")
        ready(page)
        page.get_by_label("Fingerprint, face or security key").check()
        hint = page.locator("#lock-fallback-hint")
        assert hint.is_visible()  # what a fallback changes, said where it is chosen
        assert "try every PIN" in hint.inner_text() and "passphrase as well keeps that hard" in hint.inner_text()
        page.get_by_label("A PIN as well").check()
        page.fill("#lock-fb-pin", PIN)
        page.fill("#lock-fb-pin2", PIN)
        assert serious_violations(page) == []
        page.get_by_role("button", name="Turn on the lock").click()
        page.wait_for_selector(".notice[role='status']", timeout=30000)
        assert page.inner_text(".notice[role='status']") == "The app lock is on."
        said = page.inner_text("#lock-now-title + p")
        assert "fingerprint, face or security key" in said and "Your PIN unlocks it too." in said
        wraps = page.evaluate(LOCK_WRAPS)
        assert wraps["method"] == "prf" and wraps["fallback"]["method"] == "pin"
        assert wraps["fallback"]["memoryKib"] == 32768 and len(wraps["fallback"]["salt"]) == 32
        assert wraps["wrap"] != wraps["fallback"]["wrap"]  # two wraps of the vault key, under two KEKs

        lock_now(page)
        rest = page.evaluate(AT_REST)
        for name in ("accountKey", "sigSeed", "kemSeed", "kwk"):
            assert keys[name] not in rest["text"], name
        assert SECRET_TITLE not in rest["text"]

        # With the authenticator: the credential unlocks.
        page.goto(entry_url)
        page.wait_for_selector("[data-lock-screen]")
        assert page.locator("#lock-fallback-title").inner_text() == "Or unlock with your PIN"
        assert serious_violations(page) == []
        ready(page)
        page.get_by_role("button", name="Unlock with fingerprint, face or security key").click()
        page.wait_for_selector("article h1")
        assert SECRET_TITLE in page.inner_text("article")

        # Without it: the credential cannot be asked, a wrong PIN is counted, the PIN unlocks.
        lock_now(page)
        cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
        page.get_by_role("button", name="Unlock with fingerprint, face or security key").click()
        alert = page.locator("[data-lock-screen] form:not(.lock-fallback) [data-error]")
        alert.wait_for(state="visible", timeout=90000)
        assert SECRET_TITLE not in page.content()
        wrong_try(page, "000000")
        assert lock_state(page)["failures"] == 1
        assert "9 tries left" in page.inner_text("#lock-status")
        unlock_with_pin(page)
        page.wait_for_selector("article h1")
        assert page.url == entry_url
        assert SECRET_TITLE in page.inner_text("article")
        assert lock_state(page)["failures"] == 0
    finally:
        ctx.close()


SET_NOT_BEFORE = """async (at) => {
  const db = await new Promise((ok) => { const r = indexedDB.open('between'); r.onsuccess = () => ok(r.result); });
  const store = (mode) => db.transaction('meta', mode).objectStore('meta');
  const row = await new Promise((ok) => { const r = store('readonly').get('lock'); r.onsuccess = () => ok(r.result); });
  await new Promise((ok) => { const r = store('readwrite').put({ ...row, notBefore: at }, 'lock'); r.onsuccess = ok; });
  db.close();
}"""


def wrong_try(page, pin: str) -> None:
    ready(page)
    before = page.locator("[data-lock-screen]").element_handle()
    page.fill("#lock-secret", pin)
    page.press("#lock-secret", "Enter")  # the button says it waits (aria-disabled); Enter still sends the form
    # The worker renders the lock screen again, saying how it went.
    page.wait_for_function("(old) => !old.isConnected", arg=before, timeout=30000)
    page.wait_for_selector("[data-lock-screen]")


def test_wrong_pins_wait_longer_and_the_tenth_forgets_the_keys(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        keys = page.evaluate(READ_KEYS)
        set_up_pin(page)
        assert "After 10 wrong tries in a row, this device forgets its keys." in page.inner_text("#lock-forget-warning")
        assert "Entries kept only on this device are gone for good." in page.inner_text("#lock-forget-warning")
        lock_now(page)

        waits = []
        for n in range(1, 10):
            wrong_try(page, "000000")
            state = lock_state(page)
            assert state["failures"] == n
            waits.append(state["notBefore"] - state["lastFailAt"])
            status = page.inner_text("#lock-status")
            assert f"{10 - n} tries left" in status or (n == 9 and "1 try left" in status), status
            if waits[-1]:
                # While the wait runs, a try (even the right PIN) is refused without being counted.
                assert "You can try again in" in status
                wrong_try(page, PIN)
                assert lock_state(page)["failures"] == n
                assert page.locator("[data-lock-screen]").count() == 1
                # The wait is over (the stored time moved back, as the clock would move on).
                page.evaluate(SET_NOT_BEFORE, 0)
        assert waits == [0, 0, 0, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000]

        page.fill("#lock-secret", "000000")  # the tenth
        page.press("#lock-secret", "Enter")
        page.wait_for_selector("#lock-gone-title", timeout=30000)
        assert page.url.endswith("/app/lock/forgotten")
        assert "What was kept only on this device is gone." in page.inner_text("#view")
        rest = page.evaluate(AT_REST)
        for name in ("accountKey", "sigSeed", "kemSeed", "kwk"):
            assert keys[name] not in rest["text"], name
        assert SECRET_TITLE not in rest["text"]
        assert lock_state(page) is None
        # The app starts afresh, unlocked, with nothing of before.
        page.goto(app_url + "/app/entries")
        page.wait_for_selector("#entries-title, h1")
        assert page.locator("[data-lock-screen]").count() == 0
        assert SECRET_TITLE not in page.content()
    finally:
        ctx.close()


HIDE = """(hidden) => {
  // Headless pages stay visible: the page's visibility as the system would set it, and its event.
  Object.defineProperty(document, 'visibilityState',
    { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_hidden_shows_nothing_and_minutes_in_the_background_lock_the_app(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = ctx.new_page()
        page.clock.install()  # the page's clock (its timers keep running); the test moves it on below
        page = open_app(ctx, app_url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        set_up_pin(page)
        page.goto(app_url + "/app/entries")
        page.wait_for_selector(f"text={SECRET_TITLE}")

        page.evaluate(HIDE, True)
        assert page.evaluate("() => getComputedStyle(document.querySelector('main')).visibility") == "hidden"
        # Back within the minutes: the same screen, shown again.
        page.clock.fast_forward("01:00")
        page.evaluate(HIDE, False)
        assert page.evaluate("() => getComputedStyle(document.querySelector('main')).visibility") == "visible"
        assert page.locator("[data-lock-screen]").count() == 0

        # Five minutes (the default) in the background: locked when it comes back, nothing of the screen kept.
        page.evaluate(HIDE, True)
        page.clock.fast_forward("05:01")
        page.evaluate(HIDE, False)
        page.wait_for_selector("[data-lock-screen]")
        assert SECRET_TITLE not in page.content()
        assert page.evaluate("() => getComputedStyle(document.querySelector('main')).visibility") == "visible"
        assert not page.locator("#lock-now").is_visible()
        unlock_with_pin(page)
        page.wait_for_selector(f"text={SECRET_TITLE}")

        # Idle in a visible page for the minutes: locked too.
        page.clock.fast_forward("05:30")
        page.wait_for_selector("[data-lock-screen]")
        assert SECRET_TITLE not in page.content()
    finally:
        ctx.close()


# The worker's answers as the page's htmx would get them, read in the page (the worker answers its fetches).
WORKER_ANSWERS = """async () => {
  const read = async (path) => (await fetch(path, { headers: { 'HX-Request': 'true' } })).text();
  const state = await new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => resolve(data);
    navigator.serviceWorker.controller.postMessage({ type: 'lock-state' }, [channel.port2]);
  });
  return { lock: await read('/app/lock'), entries: await read('/app/entries'), locked: state.locked };
}"""

# The page turns visible after the minutes while a sync is asked at the same moment (a poke of the change stream or
# of the minute's timer): page/lock.js asks to lock, app.js asks to sync.
VISIBLE_WITH_SYNC = """() => {
  navigator.serviceWorker.controller.postMessage({ type: 'sync' });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
  document.dispatchEvent(new Event('visibilitychange'));
  navigator.serviceWorker.controller.postMessage({ type: 'sync' });
}"""


def stop_worker(page) -> None:
    """The browser stops the idle service worker (as it does within seconds): its vault key is gone with it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    page.wait_for_timeout(300)
    cdp.detach()


def test_a_worker_restarted_while_locking_does_not_take_the_key_back(playwright_instance, app_url, tmp_path):
    # audit F1: a fresh worker asked the open page for the vault key (a sync) while that page was asking to lock;
    # the key came back after the lock, and the lock screen's "Go to the app" opened everything without the PIN.
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = ctx.new_page()
        page.clock.install()
        page = open_app(ctx, app_url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        set_up_pin(page)
        for _ in range(3):
            page.goto(app_url + "/app/entries")
            page.wait_for_selector(f"text={SECRET_TITLE}")
            ready(page)
            page.evaluate(HIDE, True)
            page.clock.fast_forward("05:01")
            stop_worker(page)
            page.evaluate(VISIBLE_WITH_SYNC)
            page.wait_for_function("() => document.documentElement.dataset.locked === 'true'")
            page.wait_for_selector("#view section")  # the screen the worker gave for /app/lock
            page.wait_for_timeout(1500)  # any recovery of the key still under way has landed
            assert page.locator("[data-lock-screen]").count() == 1, page.inner_text("#view")
            answers = page.evaluate(WORKER_ANSWERS)
            assert answers["locked"] is True
            assert "data-lock-screen" in answers["lock"], "the lock screen's address says the app is open"
            assert SECRET_TITLE not in answers["entries"]
            assert SECRET_TITLE not in page.content()
            unlock_with_pin(page)
            page.wait_for_selector(f"text={SECRET_TITLE}")
    finally:
        ctx.close()


# Unlock tries sent together, as two tabs (or a page sending again) would: each with a wrong 32-byte output.
TRIES_TOGETHER = """async ([first, n]) => Promise.all(Array.from({ length: n }, (_, i) => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = ({ data }) => resolve(data);
  navigator.serviceWorker.controller.postMessage(
    { type: 'lock-unlock', method: 'pin', output: new Uint8Array(32).fill(first + i) }, [channel.port2]);
})))"""


def test_wrong_tries_sent_together_are_each_counted(playwright_instance, app_url, tmp_path):
    # audit F4: overlapping tries all read the same count and all wrote it plus one.
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url, "/app/entries")
        set_up_pin(page)
        lock_now(page)
        answers = page.evaluate(TRIES_TOGETHER, [1, 2])
        assert [a["ok"] for a in answers] == [False, False]
        assert sorted(a["failures"] for a in answers) == [1, 2]
        assert lock_state(page)["failures"] == 2
        # Three more together: the third and fourth wrong ones, then a try refused during the wait the fourth set.
        answers = page.evaluate(TRIES_TOGETHER, [3, 3])
        assert [(a["ok"], a["failures"]) for a in answers] == [(False, 3), (False, 4), (False, 4)]
        assert answers[1]["wait"] > 29_000 and answers[2]["wait"] > 0
        state = lock_state(page)
        assert state["failures"] == 4 and state["notBefore"] - state["lastFailAt"] == 30_000
    finally:
        ctx.close()


# The worker's clock moved on (as minutes passing would): its Date.now, which engine/lock.js reads at every call.
WORKER_CLOCK = """(minutes) => {
  globalThis.realNow ??= Date.now.bind(Date);
  Date.now = () => globalThis.realNow() + minutes * 60e3;
}"""


def test_the_worker_locks_when_no_window_was_open_for_the_minutes(playwright_instance, app_url, tmp_path):
    # audit F7: with every window closed, a worker the browser kept alive kept the vault key, whatever the minutes.
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        set_up_pin(page)  # five minutes
        page.goto(app_url + "/app/entries")
        page.wait_for_selector(f"text={SECRET_TITLE}")
        [worker] = ctx.service_workers
        # With a window open, its own timers decide (page/lock.js): the worker does not lock past the minutes.
        worker.evaluate(WORKER_CLOCK, 6)
        answers = page.evaluate(WORKER_ANSWERS)
        assert answers["locked"] is False and SECRET_TITLE in answers["entries"]
        # Every window closed; opened again within the minutes: still unlocked.
        page.close()
        worker.evaluate(WORKER_CLOCK, 9)
        page = open_app(ctx, app_url, "/app/entries")
        page.wait_for_selector(f"text={SECRET_TITLE}")
        # Closed for more than the minutes: the worker locked first, and the app opens on the lock screen.
        page.close()
        worker.evaluate(WORKER_CLOCK, 15)
        page = ctx.new_page()
        page.goto(app_url + "/app/entries")
        page.wait_for_selector("[data-lock-screen]")
        assert SECRET_TITLE not in page.content()
        assert page.evaluate(WORKER_ANSWERS)["locked"] is True
        unlock_with_pin(page)
        page.wait_for_selector(f"text={SECRET_TITLE}")
    finally:
        ctx.close()


# A screen asked for just before the Lock button is pressed: its answer is in (htmx:after:request) when the button is
# pressed, and is not put over the lock screen. Says whether the secret title ever showed in the view after the press.
ANSWER_AFTER_LOCK = """async (title) => {
  const { default: htmx } = await import('/vendor/htmx.js');
  const view = document.getElementById('view');
  let pressed = false;
  let shown = false;
  new MutationObserver(() => { if (pressed && view.textContent.includes(title)) shown = true; })
    .observe(view, { childList: true, subtree: true, characterData: true });
  document.addEventListener('htmx:after:request', () => {
    pressed = true;
    document.getElementById('lock-now').click();
  }, { once: true });
  await htmx.ajax('GET', '/app/entries', { target: '#view' }).catch(() => {});
  await new Promise((resolve) => {
    const wait = () => (view.querySelector('[data-lock-screen]') ? resolve() : setTimeout(wait, 50));
    wait();
  });
  return shown;
}"""


def test_a_screen_asked_for_before_the_lock_is_not_shown_after_it(playwright_instance, app_url, tmp_path):
    # audit F5: an htmx answer already on its way was swapped over the lock screen.
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url, "/app/entries")
        create_journal(page, SECRET_TITLE, SECRET_BODY)
        set_up_pin(page)
        page.goto(app_url + "/app/settings")
        ready(page)
        assert page.evaluate(ANSWER_AFTER_LOCK, SECRET_TITLE) is False
        page.wait_for_timeout(500)
        assert page.locator("[data-lock-screen]").count() == 1
        assert SECRET_TITLE not in page.content()
    finally:
        ctx.close()


# A new session from the server, signed with this device's sign-in key (what a worker does when its token expired).
RENEW = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = ({ data }) => resolve(data.token);
  navigator.serviceWorker.controller.postMessage({ type: 'live-token', renew: true }, [channel.port2]);
})"""


def test_the_sealed_sign_in_key_renews_the_session_unlocked_and_after_the_lock_is_off(
    playwright_instance, app_url, tmp_path
):
    # audit F6: the session's sign-in key rests sealed under the vault while a lock is set; it still signs when
    # unlocked, and after the lock is turned off (sealed under the new device key again).
    ctx = launch(playwright_instance, tmp_path / "profile")
    try:
        page = open_app(ctx, app_url, "/app/entries")
        turn_on_sync(page, "locksealed")
        first = page.evaluate(RENEW)
        assert first
        set_up_pin(page)
        lock_now(page)
        assert page.evaluate(AT_REST)["keys"] == []
        assert page.evaluate(RENEW) is None  # locked: nothing signs
        unlock_with_pin(page)
        page.wait_for_function("() => document.documentElement.dataset.locked !== 'true'")
        ready(page)
        second = page.evaluate(RENEW)
        assert second and second != first
        page.goto(app_url + "/app/settings/lock")
        ready(page)
        page.locator("#lock-off").click()
        page.wait_for_selector("text=The app lock is off.")
        third = page.evaluate(RENEW)
        assert third and third not in (first, second)
        assert page.evaluate(AT_REST)["keys"] == ["AES-GCM:encrypt,decrypt"]  # the device key (DLK) only
    finally:
        ctx.close()
