"""The `between` command: argument parsing, prompts and output over sync.client (no protocol logic here)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable

from .errors import BetweenError, CryptoError, DowngradeError, RollbackError

EXIT_ERROR, EXIT_USAGE = 1, 2
SAVED_LATER = "server unreachable; your change is saved and will sync later"
# Variables the CLI reads; `between serve` hides them from the server, whose settings refuse unknown BETWEEN_*.
CLIENT_ENV = ("BETWEEN_PROFILE", "BETWEEN_PASSPHRASE", "BETWEEN_RECOVERY_KEY", "BETWEEN_KDF_MEMORY_KIB",
              "BETWEEN_KDF_ITERATIONS", "BETWEEN_PULL_LIMIT")


class UsageError(BetweenError):
    code = "usage"


def default_profile() -> Path:
    env = os.environ.get("BETWEEN_PROFILE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "between" / "default"


def say(line: str = "") -> None:
    print(line, flush=True)


def warn(line: str) -> None:
    print(f"between: warning: {line}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ secrets from the environment or a prompt


def read_passphrase(confirm: bool = False, prompt: str = "Passphrase: ") -> str:
    env = os.environ.get("BETWEEN_PASSPHRASE")
    if env is not None:
        return env
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise BetweenError("mismatch", "the two passphrases differ; nothing was created")
    return first


def read_recovery_key() -> str:
    env = os.environ.get("BETWEEN_RECOVERY_KEY")
    return env if env is not None else getpass.getpass("Recovery key: ")


# ------------------------------------------------------------------ output helpers


def print_json(value: Any) -> None:
    say(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(f"{v['name']}:{v['intensity']}" if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _field_order(kind_id: str, fields: dict[str, Any]) -> list[str]:
    from . import kinds

    kind = kinds.find_kind(kind_id)
    known = [f.id for f in kind.fields if f.id in fields] if kind else []
    return known + sorted(set(fields) - set(known))


def print_entry(entry: dict[str, Any]) -> None:
    rows = [("id", entry["id"]), ("kind", entry["kind"])]
    if entry.get("owner"):
        rows.append(("shared by", entry["owner"]))
    rows += [("created", entry["created_at"]), ("updated", entry["updated_at"])]
    if not entry.get("owner"):
        rows.append(("shared with", ", ".join(entry["shared_with"]) or "nobody"))
    if entry.get("pending"):
        rows.append(("sync", "not synced yet"))
    for label, value in rows:
        say(f"{label + ':':<13}{value}")
    for name in _field_order(entry["kind"], entry["fields"]):
        text = _value_text(entry["fields"][name])
        if "\n" in text:
            say(f"{name}:")
            for line in text.splitlines():
                say(f"  {line}")
        else:
            say(f"{name}: {text}")
    for note in entry.get("conflicts", []):
        say(f"note: {note.get('note', '')}")


def entry_line(entry: dict[str, Any]) -> str:
    """One line per entry: id, date, kind and the first text field in the kind's own field order."""
    fields = entry["fields"]
    texts = [fields[f] for f in _field_order(entry["kind"], fields) if isinstance(fields[f], str)]
    first = " ".join((texts[0] if texts else _value_text(next(iter(fields.values()), ""))).split())
    preview = first[:50] + ("…" if len(first) > 50 else "")
    flags = (" [shared: " + ", ".join(entry["shared_with"]) + "]") if entry["shared_with"] else ""
    flags += " [not synced]" if entry.get("pending") else ""
    owner = f"{entry['owner']}  " if entry.get("owner") else ""
    return f"{entry['id']}  {(entry['created_at'] or '')[:16]}  {owner}{entry['kind']:<22} {preview}{flags}"


def parse_fields(kind: str, pairs: list[str], *, allow_empty: bool) -> dict[str, Any]:
    from . import kinds

    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(detail=f"--field expects NAME=VALUE, got '{name.strip()[:40]}'")
        name = name.strip()
        if allow_empty and text == "":
            kinds.get_kind(kind).field(name)
            out[name] = None
            continue
        out[name] = kinds.parse_cli_value(kind, name, text)
    return out


# ------------------------------------------------------------------ commands


def _client(args: argparse.Namespace):
    from .client import Client

    return Client(args.profile)


def cmd_account_create(args: argparse.Namespace) -> None:
    from .client import check_handle, check_passphrase, kdf_from_env

    client = _client(args)
    check_handle(args.handle)  # before asking for anything
    kdf = kdf_from_env(os.environ)
    passphrase = read_passphrase(confirm=True)
    check_passphrase(passphrase)
    recovery = client.create_account(args.server, args.handle, passphrase,
                                     "therapist" if args.therapist else "client", kdf,
                                     invite_code=args.invite_code, device_name=args.device_name)
    say(f"Account {args.handle} created on {args.server} ({'therapist' if args.therapist else 'client'}).")
    say("Your recovery key is shown ONLY NOW. Write this down and keep it somewhere safe: it is the only way back")
    say("into your entries if you forget your passphrase.")
    say(recovery)


def cmd_account_login(args: argparse.Namespace) -> None:
    client = _client(args)
    if args.recovery:
        client.login(args.server, args.handle, recovery=read_recovery_key(), device_name=args.device_name)
        say(f"Signed in as {args.handle} with the recovery key.")
        say("Set a new passphrase soon: your old one may be known to someone else or forgotten.")
    else:
        client.login(args.server, args.handle, passphrase=read_passphrase(), device_name=args.device_name)
        say(f"Signed in as {args.handle}. Run `between sync` to fetch your entries.")


def cmd_account_logout(args: argparse.Namespace) -> None:
    reached = _client(args).logout(force=args.force)
    say("Signed out; this profile's keys and local data were erased.")
    if not reached:
        warn("server unreachable: the session ends on the server when it expires")


def cmd_account_delete(args: argparse.Namespace) -> None:
    client = _client(args)
    handle = client.keys.handle
    if not args.yes:
        answer = input(f"Delete the account {handle} and ALL its entries on the server, for good? Type the handle "
                       "to confirm: ")
        if answer.strip() != handle:
            raise BetweenError("aborted", "not confirmed; nothing was deleted")
    client.delete_account(read_passphrase())
    say(f"Account {handle} deleted on the server; this profile was erased.")


def cmd_device_list(args: argparse.Namespace) -> None:
    import datetime as dt

    def day(ts: int) -> str:
        return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")

    for device in _client(args).devices():
        current = "  (this device)" if device.current else ""
        say(f"{device.device_id}  added {day(device.created_at)}  last seen {day(device.last_seen_at)}  "
            f"{device.name}{current}")


def cmd_device_revoke(args: argparse.Namespace) -> None:
    _client(args).revoke_device(args.device_id)
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
    kind = client.entry(record_id)["kind"]
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
    from . import kinds

    for kind in kinds.all_kinds():
        say(f"{kind.id}: {kind.label}")
        for f in kind.fields:
            say(f"  {f.id} ({f.type}{', required' if f.required else ''})")


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
            raise BetweenError("unreachable", "server unreachable; local changes are saved and will sync later")
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
    say("Give this link to your client in person or over a channel you trust; it carries your key fingerprint.")
    say(link)


def cmd_invite_accept(args: argparse.Namespace) -> None:
    client = _client(args)
    handle = client.accept_invite(args.link)
    say(f"Linked with {handle}; their key matched the fingerprint in the invitation. Compare safety numbers at")
    say(f"your next session: `between safety-number {handle}`.")


def cmd_safety_number(args: argparse.Namespace) -> None:
    client = _client(args)
    number, peer = client.safety_number(args.handle)
    if args.verified:
        if client.mark_verified(args.handle):
            say(f"Accepted {args.handle}'s new key. Run `between sync` to fetch what was held back.")
        else:
            say(f"Marked {args.handle} as verified by safety number.")
        return
    if peer["changed_bundle_json"]:
        warn(f"{args.handle}'s security key CHANGED since you pinned it; sharing is blocked. The number below is "
             "for the new key: compare it with them before accepting it with --verified")
    say(f"Safety number with {args.handle} (verified by: {peer['verified_how']}):")
    say(number)


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


def cmd_serve(args: argparse.Namespace) -> None:
    for name in CLIENT_ENV:
        os.environ.pop(name, None)
    from server.__main__ import serve  # noqa: PLC0415 - the CLI must not need the server to run

    serve(args.host, args.port, args.data)


# ------------------------------------------------------------------ parser


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"between: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="between", description="Between: end-to-end encrypted journal, worksheets and sharing with "
               "your therapist.")
    p.add_argument("--profile", type=Path, default=None,
                   help="profile directory (default: $BETWEEN_PROFILE or ~/.local/share/between/default)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    def command(parent, name: str, fn: Callable, help: str):
        c = parent.add_parser(name, help=help, description=help)
        c.set_defaults(func=fn)
        return c

    account = sub.add_parser("account", help="create, sign in, sign out, delete").add_subparsers(
        dest="sub", required=True, parser_class=Parser)
    c = command(account, "create", cmd_account_create, "create an account (passphrase from BETWEEN_PASSPHRASE or "
                "a prompt)")
    c.add_argument("--server", required=True)
    c.add_argument("--handle", required=True)
    c.add_argument("--therapist", action="store_true", help="a therapist account")
    c.add_argument("--invite-code", default=None, help="sign-up code, when the server is invitation-only")
    c.add_argument("--device-name", default="between CLI", help="how this device appears in `device list`")
    c = command(account, "login", cmd_account_login, "sign in on this device")
    c.add_argument("--server", required=True)
    c.add_argument("--handle", required=True)
    c.add_argument("--recovery", action="store_true", help="use the recovery key (BETWEEN_RECOVERY_KEY or a prompt)")
    c.add_argument("--device-name", default="between CLI", help="how this device appears in `device list`")
    c = command(account, "logout", cmd_account_logout, "end this device's session and erase the profile")
    c.add_argument("--force", action="store_true", help="even if changes are not synced yet (they are lost)")
    c = command(account, "delete", cmd_account_delete, "delete the account and every entry on the server")
    c.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    device = sub.add_parser("device", help="list or revoke devices").add_subparsers(
        dest="sub", required=True, parser_class=Parser)
    command(device, "list", cmd_device_list, "list this account's devices")
    command(device, "revoke", cmd_device_revoke, "revoke a device").add_argument("device_id")

    entry = sub.add_parser("entry", help="add, edit, delete, list, show entries").add_subparsers(
        dest="sub", required=True, parser_class=Parser)
    c = command(entry, "add", cmd_entry_add, "add an entry (works offline)")
    c.add_argument("kind")
    c.add_argument("--field", action="append", metavar="NAME=VALUE")
    c = command(entry, "edit", cmd_entry_edit, "change fields of an entry (NAME= clears a field)")
    c.add_argument("id")
    c.add_argument("--field", action="append", metavar="NAME=VALUE")
    command(entry, "delete", cmd_entry_delete, "delete an entry").add_argument("id")
    command(entry, "list", cmd_entry_list, "list entries, newest first").add_argument("--json", action="store_true")
    c = command(entry, "show", cmd_entry_show, "show one entry")
    c.add_argument("id")
    c.add_argument("--json", action="store_true")

    command(sub, "kinds", cmd_kinds, "list the activity kinds and their fields")
    command(sub, "sync", cmd_sync, "pull, merge and push")
    for name, fn, help in (("share", cmd_share, "share an entry with your therapist"),
                           ("unshare", cmd_unshare, "stop sharing an entry (re-keys it)")):
        c = command(sub, name, fn, help)
        c.add_argument("id")
        c.add_argument("--with", dest="with_", required=True, metavar="HANDLE")
    shared = sub.add_parser("shared", help="entries shared with you").add_subparsers(
        dest="sub", required=True, parser_class=Parser)
    c = command(shared, "list", cmd_shared_list, "list entries clients shared with you")
    c.add_argument("--from", dest="from_", metavar="HANDLE")
    c.add_argument("--json", action="store_true")
    invite = sub.add_parser("invite", help="care-link invitations").add_subparsers(
        dest="sub", required=True, parser_class=Parser)
    command(invite, "create", cmd_invite_create, "create an invitation link (therapist)")
    command(invite, "accept", cmd_invite_accept, "accept a therapist's invitation link").add_argument("link")
    c = command(sub, "safety-number", cmd_safety_number, "show (or confirm) the safety number with a contact")
    c.add_argument("handle")
    c.add_argument("--verified", action="store_true", help="record that the numbers matched")
    c = command(sub, "export", cmd_export, "print all your entries, decrypted")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c = command(sub, "serve", cmd_serve, "run the Between server")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--data", default="var")
    return p


def _message(exc: BetweenError) -> str:
    if isinstance(exc, DowngradeError):
        return "the server asks for key-derivation settings below the safe minimum; refusing to continue"
    if isinstance(exc, RollbackError):
        return f"the server served an older or altered version of your data ({exc.detail}); nothing was changed"
    if isinstance(exc, CryptoError):
        if exc.detail == "could not unlock the account":
            return "could not unlock the account: wrong passphrase or recovery key"
        return f"verification failed: {exc.detail}"
    return exc.detail


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "profile", None) is None:
        args.profile = default_profile()
    try:
        args.func(args)
    except UsageError as exc:
        print(f"between: {exc.detail}", file=sys.stderr)
        return EXIT_USAGE
    except BetweenError as exc:
        print(f"between: {_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.Error as exc:
        print(f"between: the local profile database failed ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        return EXIT_ERROR
    except (KeyboardInterrupt, EOFError):
        print("between: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
