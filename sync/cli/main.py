"""The `between` command: argument parsing, dispatch and error printing (handlers: commands.py)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.attachments import MEDIA_TYPES
from ..core.errors import BetweenError, CryptoError, DowngradeError, RollbackError
from .commands import (
    CLIENT_ENV,
    cmd_account_create,
    cmd_account_delete,
    cmd_account_login,
    cmd_account_logout,
    cmd_account_passphrase,
    cmd_attach,
    cmd_attachment_list,
    cmd_attachment_save,
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
    cmd_server_admin,
    cmd_share,
    cmd_shared_list,
    cmd_sync,
    cmd_unshare,
)
from .messages import t
from .terminal import EXIT_ERROR, EXIT_USAGE, UsageError, problem_words

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
        print(t("error.prefix", message=message), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="between", description=t("help.description"))
    p.add_argument(
        "--profile",
        type=Path,
        default=None,
        help=t("help.profile"),
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    def command(parent, name: str, fn: Callable, help: str):
        c = parent.add_parser(name, help=help, description=help)
        c.set_defaults(func=fn)
        return c

    account = sub.add_parser("account", help=t("help.account")).add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    c = command(account, "create", cmd_account_create, t("help.account.create"))
    c.add_argument("--server", required=True)
    c.add_argument("--handle", required=True)
    c.add_argument("--therapist", action="store_true", help=t("help.therapist"))
    c.add_argument("--invite-code", default=None, help=t("help.inviteCode"))
    c.add_argument("--device-name", default="between CLI", help=t("help.deviceName"))
    c = command(account, "login", cmd_account_login, t("help.account.login"))
    c.add_argument("--server", required=True)
    c.add_argument("--handle", required=True)
    c.add_argument("--recovery", action="store_true", help=t("help.recovery"))
    c.add_argument("--device-name", default="between CLI", help=t("help.deviceName"))
    c = command(account, "logout", cmd_account_logout, t("help.account.logout"))
    c.add_argument("--force", action="store_true", help=t("help.force"))
    c = command(account, "passphrase", cmd_account_passphrase, t("help.account.passphrase"))
    c.add_argument("--recovery", action="store_true", help=t("help.passphraseRecovery"))
    c = command(account, "delete", cmd_account_delete, t("help.account.delete"))
    c.add_argument("--yes", action="store_true", help=t("help.yes"))

    device = sub.add_parser("device", help=t("help.device")).add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    command(device, "list", cmd_device_list, t("help.device.list"))
    command(device, "revoke", cmd_device_revoke, t("help.device.revoke")).add_argument("device_id")

    entry = sub.add_parser("entry", help=t("help.entry")).add_subparsers(dest="sub", required=True, parser_class=Parser)
    c = command(entry, "add", cmd_entry_add, t("help.entry.add"))
    c.add_argument("kind")
    c.add_argument("--field", action="append", metavar="NAME=VALUE")
    c.add_argument("--attach", action="append", metavar="FILE", help=t("help.entryAttach"))
    c = command(entry, "edit", cmd_entry_edit, t("help.entry.edit"))
    c.add_argument("id")
    c.add_argument("--field", action="append", metavar="NAME=VALUE")
    command(entry, "delete", cmd_entry_delete, t("help.entry.delete")).add_argument("id")
    command(entry, "list", cmd_entry_list, t("help.entry.list")).add_argument("--json", action="store_true")
    c = command(entry, "show", cmd_entry_show, t("help.entry.show"))
    c.add_argument("id")
    c.add_argument("--json", action="store_true")

    c = command(sub, "attach", cmd_attach, t("help.attach"))
    c.add_argument("id")
    c.add_argument("file", help=t("help.attachFile"))
    c.add_argument("--field", default=None, metavar="NAME", help=t("help.attachField"))
    c.add_argument("--media", default=None, choices=sorted(MEDIA_TYPES), help=t("help.attachMedia"))
    attachment = sub.add_parser("attachment", help=t("help.attachment")).add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    command(attachment, "list", cmd_attachment_list, t("help.attachment.list")).add_argument("id")
    c = command(attachment, "save", cmd_attachment_save, t("help.attachment.save"))
    c.add_argument("id")
    c.add_argument("attachment", help=t("help.attachmentId"))
    c.add_argument("out", help=t("help.attachmentOut"))
    c.add_argument("--force", action="store_true", help=t("help.attachmentForce"))

    command(sub, "kinds", cmd_kinds, t("help.kinds"))
    command(sub, "sync", cmd_sync, t("help.sync"))
    for name, fn, help in (
        ("share", cmd_share, t("help.share")),
        ("unshare", cmd_unshare, t("help.unshare")),
    ):
        c = command(sub, name, fn, help)
        c.add_argument("id")
        c.add_argument("--with", dest="with_", required=True, metavar="HANDLE")
    shared = sub.add_parser("shared", help=t("help.shared")).add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    c = command(shared, "list", cmd_shared_list, t("help.shared.list"))
    c.add_argument("--from", dest="from_", metavar="HANDLE")
    c.add_argument("--json", action="store_true")
    invite = sub.add_parser("invite", help=t("help.invite")).add_subparsers(
        dest="sub", required=True, parser_class=Parser
    )
    command(invite, "create", cmd_invite_create, t("help.invite.create"))
    command(invite, "accept", cmd_invite_accept, t("help.invite.accept")).add_argument("link")
    command(sub, "contacts", cmd_contacts, t("help.contacts"))
    c = command(sub, "safety-number", cmd_safety_number, t("help.safetyNumber"))
    c.add_argument("handle")
    c.add_argument("--verified", action="store_true", help=t("help.verified"))
    c = command(sub, "export", cmd_export, t("help.export"))
    c.add_argument("--format", choices=("text", "json"), default="text")
    c = command(sub, "import", cmd_import, t("help.import"))
    c.add_argument("file", help=t("help.importFile"))
    c = command(sub, "serve", cmd_serve, t("help.serve"))
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--data", default="var")
    c.add_argument("--database", default=None, help=t("help.database"))
    c.add_argument("--workers", type=int, default=None, help=t("help.workers"))
    c.add_argument("--log-format", choices=("text", "json"), help=t("help.logFormat"))
    c.add_argument("--dev", action="store_true", help=t("help.dev"))
    for name in ("backup", "check", "restore"):
        c = command(sub, name, cmd_server_admin, t(f"help.{name}"))
        c.add_argument("rest", nargs=argparse.REMAINDER, help=t("help.adminRest"))
    return p


def _message(exc: BetweenError) -> str:
    if isinstance(exc, DowngradeError):
        return t("error.downgrade")
    if isinstance(exc, RollbackError):
        return t("error.rollback", detail=exc.detail)
    if isinstance(exc, CryptoError):
        if exc.detail == "could not unlock the account":
            return t("error.unlock")
        return t("error.verification", detail=exc.detail)
    from ..core.kinds import FieldError, find_kind

    if isinstance(exc, FieldError) and exc.code == "invalid_field" and exc.field_id and find_kind(exc.kind_id):
        # The core names the question by its words; the command line also says the name to type after --field.
        return t("error.fieldName", detail=problem_words(exc), field=exc.field_id)
    return problem_words(exc)


ADMIN = ("backup", "check", "restore")  # the server's commands: what follows the name is theirs, options first too


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """argparse's REMAINDER takes nothing that starts with "-" first (`between check --database URL`), so what follows
    an admin command's name goes to it as it is."""
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    for i, word in enumerate(words):
        if word in ADMIN and (i == 0 or words[i - 1] != "--profile"):
            with contextlib.suppress(SystemExit):
                head = parser.parse_args(words[: i + 1])
                if head.command == word:
                    head.rest = words[i + 1 :]
                    return head
            break
    return parser.parse_args(words)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if getattr(args, "profile", None) is None:
        args.profile = default_profile()
    try:
        args.func(args)
    except UsageError as exc:
        print(t("error.prefix", message=exc.detail), file=sys.stderr)
        return EXIT_USAGE
    except BetweenError as exc:
        print(t("error.prefix", message=_message(exc)), file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.Error as exc:
        database = t("error.database", name=exc.__class__.__name__, detail=exc)
        print(t("error.prefix", message=database), file=sys.stderr)
        return EXIT_ERROR
    except (KeyboardInterrupt, EOFError):
        print(t("error.prefix", message=t("error.interrupted")), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
