"""The `between` command: argument parsing, dispatch and error printing (handlers: commands.py)."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.errors import BetweenError, CryptoError, DowngradeError, RollbackError
from .commands import (
    CLIENT_ENV,
    cmd_account_create,
    cmd_account_delete,
    cmd_account_login,
    cmd_account_logout,
    cmd_account_passphrase,
    cmd_contacts,
    cmd_device_list,
    cmd_device_revoke,
    cmd_entry_add,
    cmd_entry_delete,
    cmd_entry_edit,
    cmd_entry_list,
    cmd_entry_show,
    cmd_export,
    cmd_import,
    cmd_invite_accept,
    cmd_invite_create,
    cmd_kinds,
    cmd_safety_number,
    cmd_serve,
    cmd_share,
    cmd_shared_list,
    cmd_sync,
    cmd_unshare,
)
from .terminal import EXIT_ERROR, EXIT_USAGE, UsageError

__all__ = ["CLIENT_ENV", "EXIT_ERROR", "EXIT_USAGE", "UsageError", "build_parser", "default_profile", "main"]


def default_profile() -> Path:
    env = os.environ.get("BETWEEN_PROFILE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "between" / "default"


# ------------------------------------------------------------------ parser


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"between: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="between", description="Between: end-to-end encrypted journal, worksheets and sharing with your therapist."
    )
    p.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="profile directory (default: $BETWEEN_PROFILE or ~/.local/share/between/default)",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    def command(parent, name: str, fn: Callable, help: str):
        c = parent.add_parser(name, help=help, description=help)
        c.set_defaults(func=fn)
        return c

    account = sub.add_parser("account", help="create, sign in, sign out, change passphrase, delete").add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    c = command(
        account, "create", cmd_account_create, "create an account (passphrase from BETWEEN_PASSPHRASE or a prompt)"
    )
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
    c = command(
        account,
        "passphrase",
        cmd_account_passphrase,
        "set a new passphrase (current one from "
        "BETWEEN_PASSPHRASE or a prompt, new one from BETWEEN_NEW_PASSPHRASE or a prompt asked twice)",
    )
    c.add_argument(
        "--recovery",
        action="store_true",
        help="authorise with the recovery key instead (BETWEEN_RECOVERY_KEY or a prompt)",
    )
    c = command(account, "delete", cmd_account_delete, "delete the account and every entry on the server")
    c.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    device = sub.add_parser("device", help="list or revoke devices").add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    command(device, "list", cmd_device_list, "list this account's devices")
    command(device, "revoke", cmd_device_revoke, "revoke a device").add_argument("device_id")

    entry = sub.add_parser("entry", help="add, edit, delete, list, show entries").add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
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
    for name, fn, help in (
        ("share", cmd_share, "share an entry with your therapist"),
        ("unshare", cmd_unshare, "stop sharing an entry (re-keys it)"),
    ):
        c = command(sub, name, fn, help)
        c.add_argument("id")
        c.add_argument("--with", dest="with_", required=True, metavar="HANDLE")
    shared = sub.add_parser("shared", help="entries shared with you").add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    c = command(shared, "list", cmd_shared_list, "list entries clients shared with you")
    c.add_argument("--from", dest="from_", metavar="HANDLE")
    c.add_argument("--json", action="store_true")
    invite = sub.add_parser("invite", help="care-link invitations").add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    command(invite, "create", cmd_invite_create, "create an invitation link (therapist)")
    command(invite, "accept", cmd_invite_accept, "accept a therapist's invitation link").add_argument("link")
    command(sub, "contacts", cmd_contacts, "list the people you are linked with and how their keys were verified")
    c = command(sub, "safety-number", cmd_safety_number, "show (or confirm) the safety number with a contact")
    c.add_argument("handle")
    c.add_argument("--verified", action="store_true", help="record that the numbers matched")
    c = command(sub, "export", cmd_export, "print all your entries, decrypted")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c = command(sub, "import", cmd_import, "bring back entries from a saved JSON copy (export --format json)")
    c.add_argument("file", help="the JSON file, or - for standard input")
    c = command(sub, "serve", cmd_serve, "run the Between server")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--data", default="var")
    c.add_argument("--database", default=None, help="postgresql://... URL (else SQLite in --data; BETWEEN_DATABASE)")
    c.add_argument(
        "--workers", type=int, default=None, help="worker processes, PostgreSQL only (default: one per core)"
    )
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
    from ..core.kinds import FieldError, find_kind

    if isinstance(exc, FieldError) and exc.code == "invalid_field" and exc.field_id and find_kind(exc.kind_id):
        # The core names the question by its words; the command line also says the name to type after --field.
        return f"{exc.detail} (--field {exc.field_id}=…)"
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
