"""What a person does on the app's screens, as Playwright steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page

# Watches for Content-Security-Policy violations from the first script on: an injected inline script or
# handler shows up here even when the policy blocked it.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(e.violatedDirective + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def go_entries(page: Page) -> None:
    # Already on the list, the old heading would satisfy the wait before the new list is swapped in (and typing
    # into the old search box would be lost): mark it, and wait for a heading without the mark.
    page.evaluate("() => document.getElementById('entries-title')?.setAttribute('data-old', '')")
    page.get_by_role("link", name="Entries", exact=True).click()
    page.wait_for_selector("#entries-title:not([data-old])")


def start_entry(page: Page, kind_label: str) -> None:
    go_entries(page)
    page.locator(".kinds").get_by_role("link", name=kind_label, exact=True).click()
    page.wait_for_selector("form.entry-form")


def save(page: Page) -> None:
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("article h1, [role='alert']")


def create_journal(page: Page, title: str, body: str) -> None:
    start_entry(page, "Journal")
    page.fill("#f-title", title)
    page.fill("#f-body", body)
    save(page)


def create_thought_record(page: Page, situation: str, thought: str, emotion: str = "anxious 70") -> None:
    start_entry(page, "Thought record")
    page.fill("#f-situation", situation)
    page.fill("#f-automatic_thought", thought)
    page.fill("#f-emotions", emotion)
    save(page)


def create_mood(page: Page, score: int, note: str = "") -> None:
    start_entry(page, "Mood check-in")
    page.check(f"input[name='f.score'][value='{score}']")
    if note:
        page.fill("#f-note", note)
    save(page)


def entry_summaries(page: Page) -> list[str]:
    go_entries(page)
    return page.locator(".entries .summary").all_inner_texts()


def search(page: Page, query: str) -> list[str]:
    go_entries(page)
    page.fill("#q", query)
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector(".count, .empty")
    return page.locator(".entries .summary").all_inner_texts()
