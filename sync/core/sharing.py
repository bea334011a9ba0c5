"""The sharing rules, pure: who may be given a record key, whose records are taken, why one is held back, and which
served grants count. The browser has the same rules in web/js/core/sharing.js; tests/vectors/sharing.json holds both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .errors import BetweenError
from .trust import BLOCKED

# Why no key goes to a peer (and nothing is taken from a blocked one): no pin on this device, the care link
# ended, their key changed, or it does not match the invitation they accepted.
HeldBack = Literal["no_peer", "link_ended", "key_changed", "key_mismatch"]
# Codes of what a pull noticed about the share list the server served (the browser shows them as words).
ListWarning = Literal["old_grants_ignored", "share_list_differs"]


class ShareError(BetweenError):
    """Sharing is not possible right now (no care link, no pinned key, or the key changed)."""

    code = "share"


def takes_from(state: str | None) -> bool:
    """Whether this device takes records from a peer whose pinned key is in `state` (None: not pinned). A key that
    is only the server's word is taken, marked "not verified" where it shows; a blocked one never."""
    return state is not None and state not in BLOCKED


def held_back(linked: bool | None, state: str | None) -> HeldBack | None:
    """Why a record key may not go to a peer (`linked` None: no pin on this device), or None when it may. The same
    rule says who a re-key leaves out: a grantee whose key changed or whose link ended loses access rather than
    receiving the new key under an unverified identity."""
    if linked is None or state is None:
        return "no_peer"
    if not linked:
        return "link_ended"
    if state in BLOCKED:
        return "key_changed" if state == "changed" else "key_mismatch"
    return None


def may_grant(linked: bool | None, state: str | None) -> bool:
    """A key may go to a linked peer whose key is not blocked (changed, or not what their invitation proved). An
    unverified key (the server's word, first sight) is used too, with a "not verified" mark where it shows."""
    return held_back(linked, state) is None


def grantees_after(grantees: Iterable[str], add: Iterable[str], revoke: Iterable[str]) -> set[str]:
    """Who shares a record once a pending intent lands: the current grantees plus `add`, minus `revoke`."""
    return (set(grantees) | set(add)) - set(revoke)


@dataclass(frozen=True, slots=True)
class ShareList:
    """The share list a pull leaves (grantee -> what the device keeps about the share), and what it noticed."""

    grantees: dict[str, Any]
    warnings: list[ListWarning]


def share_list_after_pull(
    *,
    known: Mapping[str, Any] | None,
    known_key: bytes | None,
    key: bytes,
    served: Mapping[str, Any],
    stale: Iterable[str],
    gone: Iterable[str] = (),
) -> ShareList:
    """The share list of an own record after a pull, from the owner-signed grants the server listed.

    Only grants for the head's key count (`served`); grants for older keys (`stale`) never put anyone back. The list
    is replaced only when the key changed (a re-key by this account, here or on another own device); under the same
    key only this device's own share and unshare change it, so a differing list is a warning. `gone`: peers whose
    link ended (the server drops their grants, this device revokes them itself)."""
    warnings: list[ListWarning] = []
    if set(stale) - set(served):
        warnings.append("old_grants_ignored")
    if known is None or known_key is None or known_key != key:
        return ShareList(dict(served), warnings)
    if set(served) - set(known) or (set(known) - set(served)) - set(gone):
        warnings.append("share_list_differs")
    return ShareList(dict(known), warnings)
