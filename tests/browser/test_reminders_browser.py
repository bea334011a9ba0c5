"""Issue 12: reminders that fire, end to end, without the server learning what they are about.

The real path: the client turns reminders on and picks a time for an activity; the real server stores the fire times
and, when one is due, its sender posts an encrypted, VAPID-signed push to the stand-in push service
(tests/push_service.py), which checks the signature and decrypts the payload with the subscription's keys; the
decrypted message is then delivered to Chromium's service worker (CDP ServiceWorker.deliverPushMessage), which shows a
notification naming the activity, worked out from IndexedDB. A day done early gets no push. The server's reminder
tables hold no title, kind or assignment id. The app badge counts what is due today after a sync, a day done and a
push, as the worker's real code sets it (its navigator's badge calls recorded).

Chromium cannot subscribe headless here (pushManager.subscribe never settles without Google's push service,
/work/shared/research/device-features.md §1), so an init script gives the page a PushSubscription of the stand-in
(its endpoint and keys): everything after subscribe() is the app's real code."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import time
import uuid

import pytest
from pwa_browser import new_context, open_app, serious_violations
from pwa_care import assign_from_template, go, linked_pair, local_day, mark_done
from pwa_live import live_app, serve_app, sync_now  # noqa: F401 - fixture
from test_lock_browser import lock_now, set_up_pin

from between.server.webpush import Vapid
from tests.push_service import PushService

pytestmark = pytest.mark.browser

TITLE = "Evening journal"
KIND = "journal"
ZONE = "Europe/Berlin"

STUB = """(sub) => {
  const made = { endpoint: sub.endpoint, expirationTime: null, options: { userVisibleOnly: true },
    toJSON: () => sub, getKey: () => null, unsubscribe: async () => true };
  let held = null;
  PushManager.prototype.subscribe = async function (options) {
    if (!options || options.userVisibleOnly !== true || !options.applicationServerKey) throw new Error('bad options');
    window.__subscribedWith = Array.from(new Uint8Array(options.applicationServerKey));
    held = made;
    return made;
  };
  PushManager.prototype.getSubscription = async function () { return held; };
}"""


def wait_for(condition, what: str, timeout: float = 60.0, page=None):
    """Poll `condition` until it holds; with `page`, Playwright's events are dispatched meanwhile (its sync API hands
    them over only during its own calls)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def held_times(data_dir) -> list[tuple[str, int]]:
    conn = sqlite3.connect(data_dir / "between.sqlite3")
    try:
        return conn.execute("SELECT reminder_id, fire_at FROM reminder_times ORDER BY fire_at").fetchall()
    finally:
        conn.close()


def reminder_rows(data_dir) -> bytes:
    """Every byte of the server's reminder tables, as one blob to search."""
    conn = sqlite3.connect(data_dir / "between.sqlite3")
    try:
        rows = [*conn.execute("SELECT * FROM push_subscriptions"), *conn.execute("SELECT * FROM reminder_times")]
    finally:
        conn.close()
    return b"\x00".join(v if isinstance(v, bytes) else str(v).encode() for row in rows for v in row)


def look(page, name: str) -> None:
    """No serious accessibility finding on the screen, light and dark (axe-core); with REMINDER_SHOTS=<folder>, a
    picture of each for a person to look at."""
    size = page.viewport_size
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert serious_violations(page) == [], (name, scheme)
        folder = os.environ.get("REMINDER_SHOTS")
        if folder:
            page.screenshot(path=f"{folder}/{name}-desktop-{scheme}.png", full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=f"{folder}/{name}-phone-{scheme}.png", full_page=True)
            page.set_viewport_size(size)
    page.emulate_media(color_scheme="light")


def notifications(page) -> list[dict]:
    return page.evaluate("""async () => (await (await navigator.serviceWorker.ready).getNotifications())
      .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }))""")


def test_a_reminder_fires_end_to_end_and_a_day_done_early_gets_none(playwright_instance, tmp_path):
    env = {"BETWEEN_PUSH_LOOPBACK": "on", "BETWEEN_REMINDER_SCAN": "1"}
    (tmp_path / "live").mkdir()
    with serve_app(tmp_path / "live", env, movable_clock=True) as app:
        server = app.server
        url = app.url

        def server_now() -> float:
            return time.time() + float(server.clock_file.read_text() or 0)

        stand_in = PushService(clock=server_now).start()
        sub = stand_in.subscribe()
        t_ctx = new_context(playwright_instance)
        c_ctx = new_context(playwright_instance, timezone_id=ZONE)
        try:
            c_ctx.grant_permissions(["notifications"], origin=url)
            c_ctx.add_init_script(f"({STUB})({json.dumps(sub.browser_json())})")
            tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
            uid = linked_pair(tp, cp, "dr.lee", "sam.remind")
            aid = assign_from_template(
                tp,
                url,
                uid,
                "journal-evening",
                "sam.remind",
                freq_label="Every day",
                start=local_day(tp, -1),
                until=local_day(tp, 6),
            )
            assert sync_now(tp) == "Synced"
            assert sync_now(cp) == "Synced"

            # Turn reminders on for this device (the page subscribes under the server's key, the worker registers).
            go(cp, url, "/app/reminders", "#reminders-title")
            cp.get_by_role("button", name="Turn on reminders").click()
            cp.wait_for_selector("text=Reminders are on for this device.")
            # ... under the server's VAPID key (kept in its data directory)
            vapid = Vapid.load_or_create(server.data_dir / "vapid.pem")
            assert bytes(cp.evaluate("window.__subscribedWith")) == vapid.public

            look(cp, "reminders-on")

            # A time of day for the activity: two hours from now on the client's clock.
            go(cp, url, f"/app/todo/{aid}", "#todo-a-title")
            hhmm = cp.evaluate(
                "() => new Date(Date.now() + 2 * 3600e3).toLocaleTimeString('en-GB', "
                f"{{ timeZone: '{ZONE}', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }})"
            )
            cp.fill(f"#todo-reminder-time-{aid}", hhmm)
            cp.get_by_role("button", name="Save reminder time").click()
            # said as the language writes a time (core/dates.js timeWords: "5:08 AM" in English)
            said = cp.evaluate(
                "(t) => new Intl.DateTimeFormat('en', {hour: 'numeric', minute: '2-digit', timeZone: 'UTC'})"
                ".format(new Date(`2024-01-01T${t}:00Z`))",
                hhmm,
            )
            cp.wait_for_selector(f"#todo-reminder [role=status]:has-text('{said}')")
            look(cp, "activity-reminder")
            times = wait_for(
                lambda: len(held_times(server.data_dir)) >= 3 and held_times(server.data_dir),
                "the fire times on the server",
            )
            (first_id, first_at), (second_id, second_at), (third_id, third_at) = times[:3]
            first_day = cp.evaluate(
                f"new Date({first_at} * 1000).toLocaleDateString('en-CA', {{ timeZone: '{ZONE}' }})"
            )
            assert second_at - first_at in (82800, 86400, 90000)  # a day apart (a clock change moves it an hour)

            # Nothing the server keeps for reminders says what they are about.
            blob = reminder_rows(server.data_dir)
            for needle in (TITLE, KIND, aid, uuid.UUID(aid).hex, "dr.lee"):
                assert needle.encode() not in blob, needle
            assert uuid.UUID(aid).bytes not in blob
            assert base64.b64encode(uuid.UUID(aid).bytes).decode().encode() not in blob
            # and no file of the server's data directory holds the activity's title (everything else is ciphertext)
            for f in server.data_dir.rglob("*"):
                if f.is_file():
                    data = f.read_bytes()
                    assert TITLE.encode() not in data and TITLE.encode("utf-16-le") not in data, f.name

            # The next day is done early: its fire time is withdrawn, so no push comes for it.
            second_day = cp.evaluate(
                f"new Date({second_at} * 1000).toLocaleDateString('en-CA', {{ timeZone: '{ZONE}' }})"
            )
            mark_done(cp, url, aid, second_day, {"body": "Wrote it in the morning"})
            wait_for(lambda: second_id not in dict(held_times(server.data_dir)), "tomorrow's time to be withdrawn")
            assert first_id in dict(held_times(server.data_dir)) and third_id in dict(held_times(server.data_dir))

            # The first fire time comes: server -> push service (signature checked, payload decrypted).
            server.advance(first_at - server_now() + 1)
            (message,) = wait_for(lambda: stand_in.received(sub), "the first push")
            assert set(message.json()) == {"r", "at"} and message.json()["r"] == first_id
            assert stand_in.refused == []

            # -> the browser's service worker -> a notification naming the activity and who gave it.
            cdp = c_ctx.new_cdp_session(cp)
            registrations: list[str] = []
            cdp.on(
                "ServiceWorker.workerRegistrationUpdated",
                lambda e: registrations.extend(r["registrationId"] for r in e["registrations"]),
            )
            cdp.send("ServiceWorker.enable")
            wait_for(lambda: registrations, "the worker's registration id", page=cp)
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": url, "registrationId": registrations[0], "data": message.plaintext.decode()},
            )
            shown = wait_for(lambda: notifications(cp), "the notification")
            assert shown[0]["title"] == f"{TITLE} · from dr.lee", shown
            # tapping it opens that day of the activity
            assert shown[0]["url"] == f"/app/todo/{aid}/{first_day}", shown

            # Past tomorrow's time and the day after's: only the day after's push comes.
            server.advance(third_at - server_now() + 1)
            wait_for(lambda: any(m.json()["r"] == third_id for m in stand_in.received(sub)), "the third day's push")
            sent = [m.json()["r"] for m in stand_in.received(sub)]
            assert second_id not in sent and sent.count(first_id) == 1 and sent.count(third_id) == 1, sent

            # With the app locked, a push shows only the generic words: no activity, no therapist (issue 14).
            set_up_pin(cp)
            lock_now(cp)
            third = next(m for m in stand_in.received(sub) if m.json()["r"] == third_id)
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": url, "registrationId": registrations[0], "data": third.plaintext.decode()},
            )
            (locked,) = wait_for(
                lambda: [n for n in notifications(cp) if n["tag"] == f"reminder-{third_id}"], "the locked notification"
            )
            assert locked["title"] == "Time for your practice", locked
            assert locked["body"] == "Open Between to see what is due.", locked
            assert locked["url"] == "/app/today", locked
        finally:
            t_ctx.close()
            c_ctx.close()
            stand_in.stop()


# The worker's badge calls, recorded where the engine makes them: navigator.setAppBadge / clearAppBadge of the service
# worker (the real engine code runs; only the browser's badge itself is replaced by a recorder).
RECORD_BADGE = """() => {
  self.__badge = [];
  navigator.setAppBadge = async (n) => { self.__badge.push(n); };
  navigator.clearAppBadge = async () => { self.__badge.push('clear'); };
  // When a notification has been shown (after the push's own badge call: the engine sets the badge before it returns
  // the words), or why it could not be.
  const show = self.registration.showNotification.bind(self.registration);
  self.registration.showNotification = (...args) => show(...args).then(() => { self.__badge.push('shown'); },
    (e) => { self.__badge.push(`not shown: ${e}`); throw e; });
}"""

# The worker's clock a day on (`Date.now`, what the reminders engine reads), and back.
NEXT_DAY = "() => { self.__realNow = Date.now; Date.now = () => self.__realNow() + 86400e3; }"
SAME_DAY = "() => { Date.now = self.__realNow; }"


def test_the_app_badge_counts_what_is_due_today_after_a_sync_a_local_change_and_a_push(
    playwright_instance, live_app, tmp_path
):
    url = live_app.url
    t_ctx = new_context(playwright_instance)
    c_ctx = new_context(playwright_instance)
    try:
        c_ctx.grant_permissions(["notifications"], origin=url)
        tp, cp = open_app(t_ctx, url), open_app(c_ctx, url)
        uid = linked_pair(tp, cp, "dr.badge", "sam.badge")
        worker = c_ctx.service_workers[0]
        worker.evaluate(RECORD_BADGE)
        badge = lambda: worker.evaluate("() => self.__badge")  # noqa: E731

        # Two daily activities that started yesterday: both due today, once they have synced here.
        start, until = local_day(tp, -1), local_day(tp, 6)
        evening = assign_from_template(
            tp, url, uid, "journal-evening", "sam.badge", freq_label="Every day", start=start, until=until
        )
        good = assign_from_template(
            tp, url, uid, "journal-good-things", "sam.badge", freq_label="Every day", start=start, until=until
        )
        assert sync_now(tp) == "Synced"
        assert sync_now(cp) == "Synced"
        wait_for(lambda: (badge() or [None])[-1] == 2, "the badge to say 2 after the sync", page=cp)

        # One of them done today (a local change): one left.
        mark_done(cp, url, evening, local_day(cp), {"body": "Three things went well"})
        wait_for(lambda: (badge() or [None])[-1] == 1, "the badge to say 1 after marking one done", page=cp)

        # The next day (the worker's clock a day on) a push comes: the count is worked out again from this device's
        # records, for the new day: both due again. (Its id is one this device does not know: the generic words.)
        assert sync_now(cp) == "Synced"
        wait_for(lambda: (badge() or [None])[-1] == 1, "the badge to settle after the sync", page=cp)
        cdp = c_ctx.new_cdp_session(cp)
        registrations: list[str] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda e: registrations.extend(r["registrationId"] for r in e["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        wait_for(lambda: registrations, "the worker's registration id", page=cp)
        worker.evaluate("() => { self.__badge.length = 0; }")
        worker.evaluate(NEXT_DAY)
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": url, "registrationId": registrations[0], "data": json.dumps({"r": "not-a-known-id", "at": 0})},
        )
        calls = wait_for(
            lambda: any(str(c).endswith("shown") for c in badge()) and badge(), "the push's notification", page=cp
        )
        assert "shown" in calls, calls
        assert calls[: calls.index("shown")][-1:] == [2], calls
        worker.evaluate(SAME_DAY)

        # The last one done: the badge is cleared, not set to 0.
        mark_done(cp, url, good, local_day(cp), {"body": "A walk by the river"})
        wait_for(lambda: (badge() or [None])[-1] == "clear", "the badge to be cleared", page=cp)
        assert 0 not in badge()
    finally:
        t_ctx.close()
        c_ctx.close()
