"""What a therapist and a client do on the care screens (invites, clients, assignments, To do), as Playwright steps."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page
from pwa_live import sync_now, turn_on_sync

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SAFETY_NUMBER = re.compile(r"(\d{5} ){11}\d{5}")


def go(page: Page, url: str, path: str, heading: str) -> None:
    """Open an app address (a full load: the service worker answers it, online or not) and wait for its heading."""
    page.goto(url + path)
    page.wait_for_selector(heading, timeout=20000)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


# Screens that were tabs of their own and are under the More tab now: reached through it.
UNDER_MORE = {"Shared"}


def tab(page: Page, name: str, heading: str) -> None:
    """Follow a tab of the navigation (or More, then the screen under it); the old heading is marked so that it does
    not satisfy the wait."""
    page.evaluate("(sel) => document.querySelector(sel)?.setAttribute('data-old', '')", heading)
    if name in UNDER_MORE:
        page.locator("nav.tabs").get_by_role("link", name="More", exact=True).click()
        page.wait_for_selector("#more-title")
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_selector(f"{heading}:not([data-old])")


def local_day(page: Page, offset_days: int = 0) -> str:
    """The date (YYYY-MM-DD) `offset_days` from today in the browser's own time zone."""
    return page.evaluate(
        """(n) => { const d = new Date(); d.setDate(d.getDate() + n);
        const p = (x) => String(x).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }""",
        offset_days,
    )


def path_id(page: Page) -> str:
    """The last id of the current address (/app/entries/<id>, /app/assignments/<id>, ...)."""
    found = re.search(rf"({UUID})/?$", page.url)
    assert found, page.url
    return found.group(1)


# ---------------------------------------------------------------- therapist


def create_invite(page: Page) -> str:
    """Create an invitation on the Invites tab; returns its link, once its QR code is drawn."""
    tab(page, "Invites", "#invites-title")
    page.get_by_role("button", name=re.compile(r"^Create (an|another) invitation$")).click()
    page.wait_for_selector("#new-invite-title")
    page.wait_for_selector('.qr svg[role=img][aria-label="QR code of the invitation link"]')
    return page.input_value("#invite-link")


def client_ids(page: Page) -> dict[str, str]:
    """handle -> user id of each client on the Clients tab."""
    tab(page, "Clients", "#clients-title")
    out = {}
    for a in page.locator(".clients .client-name").all():
        out[a.inner_text().strip()] = a.get_attribute("href").rsplit("/", 1)[-1]
    return out


def clients_badges(page: Page) -> dict[str, str]:
    """handle -> the verification word (Verified, Not verified, Key changed) on the Clients tab."""
    tab(page, "Clients", "#clients-title")
    return {
        li.locator(".client-name").inner_text().strip(): li.locator("a.badge").inner_text().strip()
        for li in page.locator(".clients > li").all()
    }


def safety_number(page: Page, url: str, uid: str) -> str:
    """The 60 digits the link screen /app/link/:uid shows."""
    go(page, url, f"/app/link/{uid}", "#link-title")
    return page.inner_text(".safety-number code").strip()


def confirm_safety_number(page: Page, url: str, uid: str) -> None:
    go(page, url, f"/app/link/{uid}", "#link-title")
    page.get_by_role("button", name="I compared the numbers: they match").click()
    page.wait_for_selector("text=You compared this number with")


def open_client(page: Page, url: str, uid: str) -> None:
    go(page, url, f"/app/clients/{uid}", "#client-title")


def assign_from_template(
    page: Page, url: str, uid: str, template: str, handle: str, *, freq_label: str, start: str, until: str | None = None
) -> str:
    """Assign a library template to a client with a schedule; returns the new assignment's id (its review page)."""
    go(page, url, f"/app/clients/{uid}/assign", "#assign-title")
    page.locator(f"a[href$='/assign/new?template={template}']").first.click()
    page.wait_for_selector("form.assign-form")
    page.get_by_label(freq_label, exact=True).check()
    page.fill("#a-start", start)
    if until:
        page.fill("#a-until", until)
    page.get_by_role("button", name=f"Assign to {handle}").click()
    page.wait_for_selector(
        "#review-title, form.assign-form [role='alert'], .assign-form ~ [role='alert'], section [role='alert']"
    )
    assert page.locator("#review-title").count() == 1, page.inner_text("#view")
    return path_id(page)


def received_ids(page: Page) -> list[str]:
    """The record ids in this device's IndexedDB 'received' store (what others shared with it, still encrypted)."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('between');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('received').objectStore('received').getAllKeys();
          req.onsuccess = () => { db.close(); resolve(req.result.map(String)); };
          req.onerror = () => reject(req.error);
        };
      })""")


def profile_holds(profile: Path, text: str) -> list[str]:
    """Files of a browser profile whose bytes contain `text` (as UTF-8 or UTF-16, as Chromium stores strings)."""
    needles = [text.encode("utf-8"), text.encode("utf-16-le")]
    hits = []
    for f in profile.rglob("*"):
        if f.is_file():
            try:
                data = f.read_bytes()
            except OSError:
                continue
            if any(n in data for n in needles):
                hits.append(str(f.relative_to(profile)))
    return hits


# ---------------------------------------------------------------- client


def linked_pair(tp: Page, cp: Page, therapist: str, client: str) -> str:
    """A therapist and a client, each with a new account, linked by an invitation and both synced; returns the
    client's user id as the therapist's Clients list has it."""
    turn_on_sync(tp, therapist, therapist=True)
    turn_on_sync(cp, client)
    accept_invite(cp, create_invite(tp), therapist)
    assert sync_now(cp) == "Synced"
    assert sync_now(tp) == "Synced"
    return client_ids(tp)[client]


def accept_invite(page: Page, link: str, therapist: str) -> str:
    """Open the invitation link and link with the therapist; returns the safety number shown after linking."""
    page.goto(link)
    page.wait_for_selector("#invite-title")
    page.get_by_role("button", name=f"Link with {therapist}").click()
    page.wait_for_selector("text=You are linked with")
    return page.inner_text(".safety-number code").strip()


def therapist_id(page: Page, handle: str) -> str:
    """The therapist's user id, from the link on the Shared tab."""
    tab(page, "Shared", "#shared-title")
    return page.get_by_role("link", name=handle, exact=True).first.get_attribute("href").rsplit("/", 1)[-1]


def todo_items(page: Page, section_id: str) -> list[str]:
    """The texts of the items under one To do heading (todo-today, todo-week, todo-missed)."""
    return page.locator(f"section[aria-labelledby='{section_id}'] .todo-item").all_inner_texts()


def open_occurrence(page: Page, url: str, aid: str, day: str) -> None:
    go(page, url, f"/app/todo/{aid}/{day}", "#todo-o-title")


def mark_done(page: Page, url: str, aid: str, day: str, fields: dict[str, str], *, share: bool | None = None) -> str:
    """Answer a day as done with the kind's fields (id -> value); returns the id of the entry it wrote. `share` sets
    the switch that shares the entry with the therapist (None: as the form has it, on for a first answer)."""
    open_occurrence(page, url, aid, day)
    for field, value in fields.items():
        page.fill(f"#f-{field}", value)
    if share is not None:
        page.locator("form.entry-form [role='switch']").set_checked(share)
    page.get_by_role("button", name="Save and mark done").click()
    page.wait_for_selector("#todo-done-title, form.entry-form [role='alert']")
    assert page.locator("#todo-done-title").count() == 1, page.inner_text("form.entry-form [role='alert']")
    href = page.get_by_role("link", name="Open your entry").get_attribute("href")
    return href.rsplit("/", 1)[-1]


def mark_not_done(page: Page, url: str, aid: str, day: str, reason: str) -> None:
    open_occurrence(page, url, aid, day)
    page.fill("#nd-reason", reason)
    page.get_by_role("button", name="I didn't do this").click()
    page.wait_for_selector("#todo-done-title, .todo-not-done [role='alert']")
    assert page.locator("#todo-done-title").count() == 1, page.inner_text(".todo-not-done [role='alert']")


def send_feedback(page: Page, url: str, aid: str, rating: str, comment: str) -> None:
    """Feedback on the activity as a whole, on its page (/app/todo/:aid)."""
    go(page, url, f"/app/todo/{aid}", "#todo-a-title")
    page.locator("form.todo-feedback").get_by_label(rating, exact=True).check()
    page.fill("#fb-comment", comment)
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_selector("text=will see your feedback")


def share_entry(page: Page, url: str, entry_id: str, therapist: str) -> None:
    go(page, url, f"/app/entries/{entry_id}", ".sharing")
    page.get_by_role("button", name=f"Share with {therapist}").click()
    page.wait_for_selector("text=Shared with")


# ---------------------------------------------------------------- the assignment form, in more detail


def open_worksheet_builder(page: Page, url: str, uid: str) -> None:
    """The empty worksheet builder for a client (/app/clients/:uid/assign/new?worksheet=1)."""
    go(page, url, f"/app/clients/{uid}/assign/new?worksheet=1", "form.assign-form")


def add_questions(page: Page, questions: list[tuple[str, str, list[str]]]) -> None:
    """Fill the builder's question rows in order: (question, answer type value, choices)."""
    for i, (label, kind, options) in enumerate(questions):
        page.fill(f"[name='q.{i}.label']", label)
        page.select_option(f"[name='q.{i}.type']", kind)
        if options:
            page.fill(f"[name='q.{i}.options']", "\n".join(options))


def fill_schedule(page: Page, freq_label: str, **values: str) -> None:
    """Choose how often and fill the schedule's inputs by name (start, due, until, next_date, next_time, target)."""
    page.get_by_label(freq_label, exact=True).check()
    for name, value in values.items():
        page.fill(f"form.assign-form [name='{name}']", value)


def submit_assignment(page: Page, button: str) -> str:
    """Press the form's button ("Assign to <handle>", "Save changes"); returns the review page's assignment id."""
    page.evaluate("() => document.querySelector('#review-title')?.setAttribute('data-old', '')")
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_selector("#review-title:not([data-old]), #view [role='alert']")
    alerts = page.locator("#view [role='alert']")
    assert page.locator("#review-title").count() == 1, alerts.all_inner_texts()
    return path_id(page)


def withdraw_invite_made_first(page: Page) -> None:
    """Withdraw the oldest open invitation (the list is newest first; each says when it was made)."""
    tab(page, "Invites", "#invites-title")
    items = page.locator("ul.invites > li")
    made = [li.locator("time").first.get_attribute("datetime") for li in items.all()]
    oldest = items.nth(made.index(min(made)))
    page.evaluate("() => document.querySelector('#invites-title')?.setAttribute('data-old', '')")
    # Asked once more, on its own screen, before anything is withdrawn.
    oldest.get_by_role("link", name=re.compile(r"^Withdraw the invitation made ")).click()
    page.wait_for_selector("#withdraw-invite-title")
    page.get_by_role("button", name="Withdraw it").click()
    page.wait_for_selector("#invites-title:not([data-old])")


def open_invites(page: Page) -> list[str]:
    """The texts of the open invitations on the Invites tab (fetched from the server)."""
    tab(page, "Invites", "#invites-title")
    return page.locator("ul.invites > li").all_inner_texts()


def definitions(page: Page, scope: str) -> dict[str, str]:
    """The <dt> -> <dd> texts of the first <dl> under `scope`."""
    dl = page.locator(f"{scope} dl").first
    terms = dl.locator("dt").all_inner_texts()
    values = dl.locator("dd").all_inner_texts()
    return {t.strip(): " ".join(v.split()) for t, v in zip(terms, values, strict=False)}
