"""The handlers of the `between` command: one function per subcommand, over sync.client (no protocol logic)."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from ..core.errors import BetweenError
from .terminal import (
    EXIT_ERROR,
    UsageError,
    entry_line,
    parse_fields,
    print_entry,
    print_json,
    read_new_passphrase,
    read_passphrase,
    read_recovery_key,
    say,
    warn,
)

SAVED_LATER = "server unreachable; your change is saved and will sync later"
# Variables the CLI reads; `between serve` hides them from the server, whose settings refuse unknown BETWEEN_*.
CLIENT_ENV = (
    "BETWEEN_PROFILE",
    "BETWEEN_PASSPHRASE",
    "BETWEEN_RECOVERY_KEY",
    "BETWEEN_KDF_MEMORY_KIB",
    "BETWEEN_KDF_ITERATIONS",
    "BETWEEN_PULL_LIMIT",
    "BETWEEN_NEW_PASSPHRASE",
)


def _client(args: argparse.Namespace):
    from ..client.client import Client

    return Client(args.profile)


def cmd_account_create(args: argparse.Namespace) -> None:
    from ..client.accounts import check_handle, check_passphrase, kdf_from_env

    client = _client(args)
    check_handle(args.handle)  # before asking for anything
    kdf = kdf_from_env(os.environ)
    passphrase = read_passphrase(confirm=True)
    check_passphrase(passphrase)
    recovery = client.accounts.create(
        args.server,
        args.handle,
        passphrase,
        "therapist" if args.therapist else "client",
        kdf,
        invite_code=args.invite_code,
        device_name=args.device_name,
    )
    say(f"Account {args.handle} created on {args.server} ({'therapist' if args.therapist else 'client'}).")
    say("Your recovery key is shown ONLY NOW. Write this down and keep it somewhere safe: it is the only way back")
    say("into your entries if you forget your passphrase.")
    say(recovery)


def cmd_account_login(args: argparse.Namespace) -> None:
    client = _client(args)
    if args.recovery:
        client.accounts.login(args.server, args.handle, recovery=read_recovery_key(), device_name=args.device_name)
        say(f"Signed in as {args.handle} with the recovery key.")
        say("Set a new passphrase now with `between account passphrase --recovery`: your old one may be known to")
        say("someone else or forgotten.")
    else:
        client.accounts.login(args.server, args.handle, passphrase=read_passphrase(), device_name=args.device_name)
        say(f"Signed in as {args.handle}. Run `between sync` to fetch your entries.")


def cmd_account_logout(args: argparse.Namespace) -> None:
    reached = _client(args).accounts.logout(force=args.force)
    say("Signed out; this profile's keys and local data were erased.")
    if not reached:
        warn("server unreachable: the session ends on the server when it expires")


def cmd_account_passphrase(args: argparse.Namespace) -> None:
    from ..client.accounts import check_passphrase, kdf_from_env

    client = _client(args)
    client.keys  # noqa: B018 - a signed-out profile fails here, before any prompt
    kdf = kdf_from_env(os.environ)
    if args.recovery:
        current = {"recovery": read_recovery_key()}
    else:
        current = {"passphrase": read_passphrase(prompt="Current passphrase: ")}
    new = read_new_passphrase()
    check_passphrase(new)
    client.accounts.change_passphrase(new, kdf, **current)
    say("Passphrase changed: sign in with the new one from now on; the old one no longer works.")
    say("Every other session of this account was ended. Your other devices renew theirs with their own device key;")
    say("revoke any device you do not recognise (`between device list`, `between device revoke`).")


def cmd_account_delete(args: argparse.Namespace) -> None:
    client = _client(args)
    handle = client.keys.handle
    if not args.yes:
        answer = input(
            f"Delete the account {handle} and ALL its entries on the server, for good? Type the handle to confirm: "
        )
        if answer.strip() != handle:
            raise BetweenError("aborted", "not confirmed; nothing was deleted")
    client.accounts.delete(read_passphrase())
    say(f"Account {handle} deleted on the server; this profile was erased.")


def cmd_device_list(args: argparse.Namespace) -> None:
    import datetime as dt

    def day(ts: int) -> str:
        return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")

    for device in _client(args).accounts.devices():
        current = "  (this device)" if device.current else ""
        say(
            f"{device.device_id}  added {day(device.created_at)}  last seen {day(device.last_seen_at)}  "
            f"{device.name}{current}"
        )


def cmd_device_revoke(args: argparse.Namespace) -> None:
    _client(args).accounts.revoke_device(args.device_id)
    say(f"Device {args.device_id} revoked: its sessions ended.")


def cmd_entry_add(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.add_entry(args.kind, parse_fields(args.kind, args.field or [], allow_empty=False))
    say(f"Saved a {args.kind} entry on this device (run `between sync` to upload it).")
    say(record_id)


def cmd_entry_edit(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    if not args.field:
        raise UsageError(detail="nothing to change: give at least one --field NAME=VALUE")
    kind = client.editable_kind(record_id)
    version = client.edit_entry(record_id, parse_fields(kind, args.field, allow_empty=True))
    say(f"Saved version {version} of entry {record_id} on this device.")


def cmd_entry_delete(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    client.delete_entry(record_id)
    say(f"Deleted entry {record_id} on this device (run `between sync` to delete it everywhere).")


def cmd_entry_list(args: argparse.Namespace) -> None:
    problems: list[str] = []
    entries = _client(args).entries(problems=problems)
    for line in problems:
        warn(line)
    if args.json:
        print_json(entries)
    elif not entries:
        say("No entries yet. Add one with `between entry add journal --field body=...`.")
    else:
        for entry in entries:
            say(entry_line(entry))


def cmd_entry_show(args: argparse.Namespace) -> None:
    entry = _client(args).entry(args.id)
    print_json(entry) if args.json else print_entry(entry)


def cmd_kinds(args: argparse.Namespace) -> None:
    from ..core import kinds

    # The names to type (kind ids, field names, choice ids) beside the words every other output shows instead.
    for kind in kinds.all_kinds():
        say(f"{kind.id}: {kind.label}")
        for f in kind.fields:
            say(f"  {f.id}: {f.label} ({f.type}{', required' if f.required else ''})")
            for o in f.constraints.options:
                say(f"    {o.id}: {o.label}")


def _report(report) -> None:
    for line in report.warnings:
        warn(line)
    say(report.summary())
    if report.failed:
        for line in report.failed:
            print(f"between: {line}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def cmd_sync(args: argparse.Namespace) -> None:
    client = _client(args)
    try:
        _report(client.sync())
    except BetweenError as exc:
        if exc.code == "unreachable":
            raise BetweenError(
                "unreachable", "server unreachable; local changes are saved and will sync later"
            ) from exc
        raise


def _sync_after(client, done: str) -> None:
    """Share and unshare try to reach the server at once; offline they stay queued."""
    try:
        report = client.sync()
    except BetweenError as exc:
        if exc.code == "unreachable":
            say(f"{done} (queued).")
            raise BetweenError("unreachable", SAVED_LATER) from None
        raise
    _report(report)
    say(f"{done}.")


def cmd_share(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    client.share(record_id, args.with_)
    _sync_after(client, f"Shared entry {record_id} with {args.with_}")


def cmd_unshare(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    for line in client.unshare(record_id, args.with_):
        warn(line)
    _sync_after(client, f"Stopped sharing entry {record_id} with {args.with_}; later versions are re-keyed")


def cmd_shared_list(args: argparse.Namespace) -> None:
    client = _client(args)
    try:
        for line in client.sync().warnings:
            warn(line)
    except BetweenError as exc:
        if exc.code != "unreachable":
            raise
        warn("server unreachable; showing what this device already has")
    problems: list[str] = []
    entries = client.shared_with_me(args.from_, problems)
    for line in problems:
        warn(line)
    if args.json:
        print_json(entries)
    elif not entries:
        say("Nothing has been shared with you" + (f" by {args.from_}." if args.from_ else "."))
    else:
        for entry in entries:
            say(entry_line(entry))


def cmd_invite_create(args: argparse.Namespace) -> None:
    link = _client(args).create_invite()
    say("Give this link to your client: in the room (as a QR code) or over a channel you trust. It carries your key")
    say("fingerprint and a secret with which their app proves its key back to you, so you are both verified by the")
    say("invitation: as safely as the channel it travels over.")
    say(link)


def cmd_invite_accept(args: argparse.Namespace) -> None:
    client = _client(args)
    handle = client.accept_invite(args.link)
    try:
        client.sync()  # the account's record of this verification goes out now, for this account's other devices
    except BetweenError as exc:
        warn(f"linked, but this device could not sync yet ({exc.detail}); run `between sync` later")
    say(f"Linked with {handle}: verified by invitation (their key matched the fingerprint in the link, and your")
    say("app proved yours back). For the strongest check, compare safety numbers in person or by video:")
    say(f"`between safety-number {handle}`.")


def cmd_contacts(args: argparse.Namespace) -> None:
    peers = _client(args).store.list_peers()
    if not peers:
        say("No contacts yet: a therapist runs `between invite create`, a client `between invite accept LINK`.")
    for peer in peers:
        state = {
            "changed": "KEY CHANGED: compare safety numbers",
            "mismatch": "KEY DOES NOT MATCH THE INVITATION: compare safety numbers",
        }.get(peer.state, HOW_WORDS.get(peer.verified_how, "not verified"))
        held = f", {peer.held} change(s) held back" if peer.held and peer.state in ("changed", "mismatch") else ""
        ended = "" if peer.linked else " (link ended)"
        say(f"{peer.handle} ({peer.role}){ended}: {state}{held}")


def cmd_safety_number(args: argparse.Namespace) -> None:
    client = _client(args)
    number, peer = client.safety_number(args.handle)
    if args.verified:
        if client.mark_verified(args.handle):
            say(f"Accepted {args.handle}'s new key. Run `between sync` to fetch what was held back.")
        else:
            say(f"Marked {args.handle} as verified by safety number.")
        return
    if peer.state == "changed":
        warn(
            f"{args.handle}'s security key CHANGED since it was verified; nothing is shared with or taken from them. "
            "The number below is for the new key: compare it with them before accepting it with --verified"
        )
    elif peer.state == "mismatch":
        warn(
            f"{args.handle}'s key does not match the invitation they accepted; nothing is shared with or taken "
            "from them. Compare the number below with them before accepting their key with --verified"
        )
    elif peer.state == "unverified":
        warn(
            f"{args.handle}'s key is not verified: it came from the server. Compare this number with them in "
            "person or by video and confirm it with --verified"
        )
    say(f"Safety number with {args.handle} ({HOW_WORDS.get(peer.verified_how, peer.verified_how)}):")
    say(number)


HOW_WORDS = {
    "invite-link": "verified by invitation",
    "safety-number": "verified in person or by video",
    "tofu": "not verified",
}


def cmd_export(args: argparse.Namespace) -> None:
    problems: list[str] = []
    entries = _client(args).export(problems)
    for line in problems:
        warn(line)
    if args.format == "json":
        print_json(entries)
        return
    for i, entry in enumerate(entries):
        if i:
            say()
        print_entry(entry)


def cmd_import(args: argparse.Namespace) -> None:
    from ..client.saved_copy import parse

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BetweenError("unreadable", f"cannot read {args.file}: {type(exc).__name__}") from None
    items = parse(text)  # before the profile is opened: a file that is not JSON changes nothing
    n = _client(args).import_copy(items)
    say(
        f"brought back {n['brought_back']}, already here {n['already']}, unreadable {n['unreadable']}, "
        f"assignments and notes left to sync {n['not_entries']}"
    )
    if n["brought_back"]:
        say("Run `between sync` to upload them.")


def cmd_serve(args: argparse.Namespace) -> None:
    for name in CLIENT_ENV:
        os.environ.pop(name, None)
    # The server is found through its entry point (pyproject.toml, group `between.serve`), never imported: the
    # CLI is a client and must run where the server is not installed.
    found = entry_points(group="between.serve", name="serve")
    if not found:
        raise BetweenError("no_server", "the Between server is not installed here (pip install between)")
    next(iter(found)).load()(args.host, args.port, args.data, database=args.database, workers=args.workers)
