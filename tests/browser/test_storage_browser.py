"""Nothing lost on the device (issue 18), in Chromium against the real server: persistent storage asked at the
moments named and the "only on this device" notice by its answer, a full device refusing a save without losing the
form or anything stored, a device whose storage was cleared offering to sign in again, and browsers without module
service workers or without Ed25519/X25519."""

from __future__ import annotations

import subprocess

import pytest
from pwa_browser import ROOT, launch, new_context, open_app, serious_violations
from pwa_live import go_more, go_settings, live_app, sign_in, sync_now, turn_on_sync  # noqa: F401 - fixture
from pwa_screens import create_journal, entry_summaries, go_entries, save, start_entry

pytestmark = pytest.mark.browser

# Every call of persist() the page makes is counted, and still goes to the browser, which decides.
PERSIST_CALLS = """
window.__persistCalls = 0;
const persist = StorageManager.prototype.persist;
StorageManager.prototype.persist = function () { window.__persistCalls += 1; return persist.call(this); };
"""

# A browser without module service workers (Firefox before 147): registering one is refused.
NO_MODULE_WORKERS = """
const register = ServiceWorkerContainer.prototype.register;
ServiceWorkerContainer.prototype.register = function (url, options) {
  if (options && options.type === 'module') {
    return Promise.reject(new TypeError('module service workers are not supported'));
  }
  return register.call(this, url, options);
};
"""

# A browser without one curve in WebCrypto: generating or importing a key of it is refused, as such browsers do.
WITHOUT_CURVE = """
for (const [method, at] of [['generateKey', 0], ['importKey', 2]]) {
  const original = SubtleCrypto.prototype[method];
  SubtleCrypto.prototype[method] = function (...args) {
    const algorithm = args[at];
    const name = typeof algorithm === 'string' ? algorithm : algorithm && algorithm.name;
    if (String(name).toLowerCase() === '%s') {
      return Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'));
    }
    return original.apply(this, args);
  };
}
"""

NOTICE = "[data-storage-notice]"

# The worker as Safari on an iPhone would run it: only its User-Agent differs here.
SAFARI = """() => Object.defineProperty(WorkerNavigator.prototype, 'userAgent', { configurable: true, get: () =>
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 '
  + 'Mobile/15E148 Safari/604.1' })"""


def persist_calls(page) -> int:
    return page.evaluate("() => window.__persistCalls")


def wait_calls(page, n: int) -> None:
    page.wait_for_function(f"() => window.__persistCalls === {n}")


def test_persistence_is_asked_at_the_moments_named_and_refused_the_notice_says_so(
    playwright_instance, live_app, tmp_path
):
    ctx = new_context(playwright_instance)
    ctx.add_init_script(PERSIST_CALLS)
    try:
        page = open_app(ctx, live_app.url)
        # The module worker, where the browser has module service workers.
        assert page.evaluate("() => new URL(navigator.serviceWorker.controller.scriptURL).pathname") == "/sw.js"
        go_entries(page)
        assert persist_calls(page) == 0  # nothing stored yet: nothing to ask for
        assert page.locator(NOTICE).count() == 0

        create_journal(page, "First", "kept only here")
        wait_calls(page, 1)  # the first entries
        create_journal(page, "Second", "still only here")
        go_entries(page)
        assert persist_calls(page) == 1  # each moment once
        # Headless Chromium refuses (no engagement, not installed): the notice says where the entries are.
        assert page.evaluate("() => navigator.storage.persisted()") is False
        notice = page.locator(NOTICE)
        assert notice.count() == 1
        words = notice.inner_text()
        assert "kept only on this device" in words and "may clear" in words
        for way in ("Install Between", "Turn on sync", "Save a copy"):
            assert way in words, way
        assert "7 days" not in words  # not Safari
        assert serious_violations(page) == []
        # In Safari (the worker reads its User-Agent), the notice names the 7-day rule too.
        ctx.service_workers[0].evaluate(SAFARI)
        go_entries(page)
        assert "Safari also clears it after 7 days without a visit" in page.locator(NOTICE).inner_text()

        # Installed: the browser tells the page, which asks again (once).
        page.evaluate("() => window.dispatchEvent(new Event('appinstalled'))")
        wait_calls(page, 2)

        # Put away once: the list no longer shows it; Settings still says it.
        page.get_by_role("button", name="Got it").click()
        page.wait_for_selector("text=Put away.")
        go_entries(page)
        assert page.locator(NOTICE).count() == 0
        page.reload()
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.locator(NOTICE).count() == 0
        go_settings(page)  # Storage on this device is a section of Settings (under More)
        settings = page.locator("#storage").inner_text()
        assert "may clear Between's storage" in settings
        assert "in use, of" in settings and "this browser allows" in settings
        assert "kept anywhere else yet" in settings and "Turn on sync" in settings
        assert serious_violations(page) == []
        # Asked by the person in Settings: asked whenever pressed (still refused here).
        calls = persist_calls(page)
        page.get_by_role("button", name="Ask the browser to keep it").click()
        wait_calls(page, calls + 1)

        # An account made: the third moment.
        calls = persist_calls(page)
        turn_on_sync(page, "wren")
        wait_calls(page, calls + 1)
        assert sync_now(page) == "Synced"
        go_settings(page)
        assert "Everything on this device is also in your account." in page.locator("#storage").inner_text()
    finally:
        ctx.close()


# An installed app: it runs in its own window (display-mode standalone).
STANDALONE = """
const matchMedia = window.matchMedia;
window.matchMedia = function (query) {
  if (!String(query).includes('display-mode: standalone')) return matchMedia.call(window, query);
  return { matches: true, media: query, onchange: null, addEventListener() {}, removeEventListener() {},
    addListener() {}, removeListener() {}, dispatchEvent: () => false };
};
"""


def test_an_installed_app_asks_for_persistence_at_start_once(playwright_instance, app_url, tmp_path):
    ctx = new_context(playwright_instance)
    ctx.add_init_script(PERSIST_CALLS)
    ctx.add_init_script(STANDALONE)
    try:
        page = open_app(ctx, app_url)
        wait_calls(page, 1)  # started installed, nothing stored yet
        page.reload()
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        go_entries(page)
        assert persist_calls(page) == 0  # each moment once
    finally:
        ctx.close()


# The same, with the browser granting when asked (as it may for an installed or much-used app): the page's call goes
# to the test first, which grants the site persistent storage through DevTools, then on to the browser.
PERSIST_GRANTED = """
window.__persistCalls = 0;
const persist = StorageManager.prototype.persist;
StorageManager.prototype.persist = async function () {
  window.__persistCalls += 1;
  await window.__grantPersistence();
  return persist.call(this);
};
"""


def test_persistence_granted_shows_no_notice(playwright_instance, live_app, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "laptop")
    ctx.add_init_script(PERSIST_GRANTED)
    try:
        page = open_app(ctx, live_app.url)
        cdp = ctx.new_cdp_session(page)
        grant = {"permissions": ["durableStorage"], "origin": live_app.url}
        ctx.expose_function("__grantPersistence", lambda: cdp.send("Browser.grantPermissions", grant) and None)
        assert page.evaluate("() => navigator.storage.persisted()") is False
        create_journal(page, "Kept", "the browser promised to keep it")
        wait_calls(page, 1)
        assert page.evaluate("() => navigator.storage.persisted()") is True
        go_entries(page)
        assert entry_summaries(page) == ["Kept"]
        assert page.locator(NOTICE).count() == 0
        go_settings(page)
        settings = page.locator("#storage").inner_text()
        assert "keeps Between's storage until you remove it" in settings
        assert "kept anywhere else yet" not in settings
        assert page.locator("[data-persist]").count() == 0  # nothing left to ask for
    finally:
        ctx.close()


# In the worker: IndexedDB's put refused for quota while `self.__full` is set, on the second put of a save (its
# revision, after the record's row): the transaction must abort whole.
FULL = """() => {
  const put = IDBObjectStore.prototype.put;
  self.__full = true;
  IDBObjectStore.prototype.put = function (...args) {
    if (self.__full && this.name === 'revisions') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args);
  };
}"""

# What the worker's database holds: record ids and every revision's key, read in the worker.
STORED = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('between');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const all = (store) => new Promise((resolve) => {
    const request = db.transaction(store).objectStore(store).getAllKeys();
    request.onsuccess = () => resolve(request.result);
  });
  const result = { records: (await all('records')).length, revisions: (await all('revisions')).length };
  db.close();
  return result;
}"""


def test_a_full_device_refuses_a_save_and_loses_nothing(playwright_instance, live_app, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Kept one", "written while there was room")
        create_journal(page, "Kept two", "also written while there was room")
        worker = ctx.service_workers[0]
        before = worker.evaluate(STORED)
        assert before == {"records": 2, "revisions": 2}
        worker.evaluate(FULL)

        start_entry(page, "Journal")
        page.fill("#f-title", "Written when full")
        page.fill("#f-body", "Every word of this must survive.")
        save(page)
        alert = page.locator("[role='alert']")
        assert "no room left to save this" in alert.inner_text()
        # The form keeps what was typed; nothing was stored, not even half of the save.
        assert page.input_value("#f-title") == "Written when full"
        assert page.input_value("#f-body") == "Every word of this must survive."
        assert worker.evaluate(STORED) == before
        assert page.evaluate("() => document.activeElement.getAttribute('role')") == "alert"
        assert serious_violations(page) == []

        # Room again (the person freed some): "Free space and save again" frees what can be fetched again and saves.
        worker.evaluate("() => { self.__full = false; }")
        page.get_by_role("button", name="Free space and save again").click()
        page.wait_for_selector("article h1")
        assert page.inner_text("article h1") == "Written when full"
        assert entry_summaries(page) == ["Written when full", "Kept two", "Kept one"]

        # Editing when full: the same; after freeing, still full, it says so and still keeps the form.
        worker.evaluate("() => { self.__full = true; }")
        page.locator(".entries a", has_text="Kept one").click()
        page.get_by_role("link", name="Edit").click()
        page.wait_for_selector("form.entry-form")
        page.fill("#f-body", "An edit that must not be lost.")
        save(page)
        page.get_by_role("button", name="Free space and save again").click()
        page.wait_for_selector("text=still no room")
        assert page.input_value("#f-body") == "An edit that must not be lost."
        worker.evaluate("() => { self.__full = false; }")
        save(page)
        page.wait_for_selector("article h1")
        assert "An edit that must not be lost." in page.inner_text("article")
        assert entry_summaries(page) == ["Written when full", "Kept two", "Kept one"]
    finally:
        ctx.close()


def test_free_space_drops_old_versions_the_server_has_and_keeps_the_rest(playwright_instance, app_url, tmp_path):
    """engine/storage.js freeSpace over real IndexedDB (a database of its own, in a page of the app's origin)."""
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, app_url)
        left = page.evaluate("""async () => {
          const { openDb, get, getAll, write } = await import('/js/data/db.js');
          const { unlockDevice } = await import('/js/data/device.js');
          const { createEntry, updateEntry, deleteEntry } = await import('/js/data/entries.js');
          const { kindTable } = await import('/js/core/kinds.js');
          const { createStorage } = await import('/js/engine/storage.js');
          const db = await openDb('free-space-test');
          const me = await unlockDevice(db);
          const journal = kindTable(await (await fetch('/kinds.json')).json()).get('journal');
          const edited = (await createEntry(db, me, 'journal', { body: 'v1' })).id;
          for (const body of ['v2', 'v3']) await updateEntry(db, me, edited, { body }, journal);
          const deleted = (await createEntry(db, me, 'journal', { body: 'to undo' })).id;
          await updateEntry(db, me, deleted, { body: 'last words' }, journal);
          await deleteEntry(db, me, deleted);
          const unsynced = (await createEntry(db, me, 'journal', { body: 'u1' })).id;
          await updateEntry(db, me, unsynced, { body: 'u2' }, journal);
          // The server acknowledged the first two (their head is the synced one); the third never reached it.
          for (const id of [edited, deleted]) {
            const row = await get(db, 'records', id);
            await write(db, ['records'], (tx) => tx.objectStore('records').put({ ...row, synced: row.head }));
          }
          let freedFiles = 0;
          const freeCaches = async () => { freedFiles = 1; return 1; };
          const storage = createStorage({ load: async () => ({ db, me }), freeCaches });
          const removed = await storage.freeSpace();
          const versions = async (id) => (await getAll(db, 'revisions', IDBKeyRange.bound([id, 0], [id, 99])))
            .map((r) => r.version);
          const result = { removed, freedFiles, edited: await versions(edited), deleted: await versions(deleted),
            unsynced: await versions(unsynced) };
          db.close();
          indexedDB.deleteDatabase('free-space-test');
          return result;
        }""")
        # Only the head of a synced entry; a deleted one keeps the version Undo brings back; unsynced: everything.
        assert left == {"removed": 1 + 2 + 1, "freedFiles": 1, "edited": [3], "deleted": [2, 3], "unsynced": [1, 2]}
    finally:
        ctx.close()


def test_a_device_whose_storage_was_cleared_offers_to_sign_in_again(playwright_instance, live_app, tmp_path):
    ctx = new_context(playwright_instance)
    try:
        page = open_app(ctx, live_app.url)
        create_journal(page, "Synced before", "safe in the account")
        turn_on_sync(page, "lark")
        assert sync_now(page) == "Synced"
        assert [c["value"] for c in ctx.cookies() if c["name"] == "between-account"] == ["1"]
        cdp = ctx.new_cdp_session(page)

        # The app closed, the browser drops its database; the worker stays (its open connection is closed for it).
        page.goto("about:blank")
        cdp.send("Storage.clearDataForOrigin", {"origin": live_app.url, "storageTypes": "indexeddb"})
        page.goto(live_app.url + "/")
        page.wait_for_selector("#wiped-title")
        assert "sign in again" in page.inner_text("main")
        assert page.locator("#signup-form").count() == 0  # not a first start
        assert serious_violations(page) == []
        page.get_by_role("link", name="Sign in again").click()
        page.wait_for_selector("#signin-form")
        assert sign_in(page, "lark") == ""
        assert sync_now(page) == "Synced"
        assert entry_summaries(page) == ["Synced before"]

        # Evicted as browsers evict: the site's storage as a whole (worker, caches, database), its cookies kept.
        page.goto("about:blank")
        cdp.send(
            "Storage.clearDataForOrigin",
            {"origin": live_app.url, "storageTypes": "indexeddb,cache_storage,service_workers,local_storage"},
        )
        page.goto(live_app.url + "/app/entries")
        page.wait_for_selector("#wiped-title")
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        # Choosing to start without the account: the marker goes, and the next start is an ordinary one.
        page.get_by_role("link", name="Start without an account").click()
        page.wait_for_selector("#entries-title")
        assert not [c for c in ctx.cookies() if c["name"] == "between-account"]
        page.reload()
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.locator("#wiped-title").count() == 0 and page.locator("#entries-title").count() == 1

        # Signed in again, then this device forgotten on purpose: no "storage was cleared" at the next start.
        assert sign_in(page, "lark") == ""
        assert [c["value"] for c in ctx.cookies() if c["name"] == "between-account"] == ["1"]
        go_more(page)
        page.get_by_role("link", name="Forget this device…").click()
        page.wait_for_selector("#forget-title")
        page.check("input[name='confirm']")
        page.get_by_role("button", name="Forget this device").click()
        page.wait_for_selector("#gone-title")
        page.wait_for_function("() => !document.cookie.includes('between-account=1')")
        page.goto(live_app.url + "/")
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert page.locator("#wiped-title").count() == 0
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def classic_worker() -> None:
    """The classic worker built from the sources as they are now (tools/build.js --classic writes it into dist/)."""
    subprocess.run(["node", "tools/build.js", "--classic"], cwd=ROOT / "web", check=True, capture_output=True)


def test_without_module_workers_the_classic_worker_runs_the_app_offline(
    playwright_instance, live_app, classic_worker, tmp_path
):
    profile = tmp_path / "old-firefox"
    ctx = launch(playwright_instance, profile)
    ctx.add_init_script(NO_MODULE_WORKERS)
    try:
        page = open_app(ctx, live_app.url)
        assert page.evaluate("() => new URL(navigator.serviceWorker.controller.scriptURL).pathname") == "/sw-classic.js"
        create_journal(page, "Online", "written with the classic worker")
        ctx.set_offline(True)
        page.reload()
        page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")
        assert entry_summaries(page) == ["Online"]
        create_journal(page, "Offline", "written without a network")
    finally:
        ctx.close()
    ctx = launch(playwright_instance, profile)
    ctx.add_init_script(NO_MODULE_WORKERS)
    try:
        ctx.set_offline(True)
        page = open_app(ctx, live_app.url)
        assert page.evaluate("() => new URL(navigator.serviceWorker.controller.scriptURL).pathname") == "/sw-classic.js"
        assert entry_summaries(page) == ["Offline", "Online"]
    finally:
        ctx.close()


@pytest.mark.parametrize(("curve", "named"), [("ed25519", "Ed25519"), ("x25519", "X25519")])
def test_without_a_curve_in_webcrypto_the_start_page_names_it(playwright_instance, app_url, tmp_path, curve, named):
    ctx = new_context(playwright_instance)
    ctx.add_init_script(WITHOUT_CURVE % curve)
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto(app_url + "/")
        page.wait_for_selector("#unsupported-title")
        main = page.inner_text("main")
        assert "Between cannot run in this browser" in main
        assert named in main
        assert "Firefox 130 or later" in main and "Safari 17 or later" in main
        assert page.locator("[data-missing]").count() == 1
        # Nothing half-working: no worker registered, nothing stored.
        assert page.evaluate("() => navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
        assert page.evaluate("() => indexedDB.databases().then((d) => d.length)") == 0
        assert page.evaluate("() => document.documentElement.dataset.ready") is None
        assert serious_violations(page) == []
    finally:
        ctx.close()


# In the worker: a device that fills up after `allowed` more saves. Each save puts one revision (data/entries.js
# commit): the first `allowed` go through, every later one is refused for quota, aborting its transaction whole.
FULL_AFTER = """(allowed) => {
  const put = IDBObjectStore.prototype.put;
  self.__room = allowed;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === 'revisions') {
      if (self.__room <= 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      self.__room -= 1;
    }
    return put.apply(this, args);
  };
}"""


def test_a_full_device_refuses_the_safety_plan_and_keeps_what_was_typed(playwright_instance, app_url, tmp_path):
    ctx = launch(playwright_instance, tmp_path / "phone")
    try:
        page = open_app(ctx, app_url)
        create_journal(page, "Kept", "written while there was room")
        worker = ctx.service_workers[0]
        before = worker.evaluate(STORED)
        worker.evaluate(FULL_AFTER, 0)
        page.goto(app_url + "/app/safety-plan/edit")
        page.wait_for_selector("#plan-form-title")
        page.fill("#f-warning_signs", "Not sleeping")
        page.fill("#f-reasons", "My sister")
        page.get_by_role("button", name="Save the plan").click()
        alert = page.locator("[role='alert']")
        alert.wait_for()
        assert "no room left to save this" in alert.inner_text()
        assert page.input_value("#f-warning_signs") == "Not sleeping"
        assert page.input_value("#f-reasons") == "My sister"
        assert worker.evaluate(STORED) == before  # nothing of it stored
        assert serious_violations(page) == []
        # Room again: "Free space and save again" sends the same form and the plan is saved, once.
        worker.evaluate("() => { self.__room = 100; }")
        page.get_by_role("button", name="Free space and save again").click()
        page.wait_for_selector("text=Plan saved.")
        assert "Not sleeping" in page.inner_text("#view")
        assert worker.evaluate(STORED) == {"records": before["records"] + 1, "revisions": before["revisions"] + 1}
    finally:
        ctx.close()


def test_a_full_device_between_an_answers_entry_and_its_response_leaves_no_duplicate(
    playwright_instance, live_app, tmp_path
):
    """To do "done" writes the day's entry, then the response that names it. When the device fills up between the
    two, the new entry is taken back: nothing is half-saved, the form keeps what was typed, and saving again (after
    freeing space) writes one entry and one response, not a second entry."""
    from pwa_care import assign_from_template, linked_pair, local_day, open_occurrence

    url = live_app.url
    t_ctx = launch(playwright_instance, tmp_path / "therapist")
    c_ctx = launch(playwright_instance, tmp_path / "client")
    try:
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        client = linked_pair(tp, cp, "dr.full", "sam.full")
        today = local_day(tp)
        aid = assign_from_template(tp, url, client, "journal-evening", "sam.full", freq_label="Every day", start=today)
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"
        worker = c_ctx.service_workers[0]
        before = worker.evaluate(STORED)
        entries_before = len(entry_summaries(cp))

        worker.evaluate(FULL_AFTER, 1)  # room for the entry, none for the response
        open_occurrence(cp, url, aid, today)
        cp.fill("#f-body", "Cooked with my sister.")
        cp.get_by_role("button", name="Save and mark done").click()
        alert = cp.locator("form.entry-form [role='alert']")
        alert.wait_for()
        assert "no room left to save this" in alert.inner_text()
        assert cp.input_value("#f-body") == "Cooked with my sister."
        assert worker.evaluate(STORED) == before  # the entry written first was taken back
        assert serious_violations(cp) == []

        worker.evaluate("() => { self.__room = 100; }")
        cp.get_by_role("button", name="Free space and save again").click()
        cp.wait_for_selector("#todo-done-title")
        after = worker.evaluate(STORED)
        assert after == {"records": before["records"] + 2, "revisions": before["revisions"] + 2}
        assert len(entry_summaries(cp)) == entries_before + 1  # one entry for the day, not two
    finally:
        t_ctx.close()
        c_ctx.close()
