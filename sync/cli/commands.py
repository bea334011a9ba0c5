"""The handlers of the `between` command: one function per subcommand, over sync.client (no protocol logic)."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from ..core.attachments import MEDIA_TYPES
from ..core.errors import BetweenError
from .messages import t
from .terminal import (
    EXIT_ERROR,
    Said,
    UsageError,
    entry_line,
    in_words,
    notice_words,
    parse_fields,
    print_entry,
    print_json,
    problem_words,
    read_new_passphrase,
    read_passphrase,
    read_recovery_key,
    say,
    warn,
    without_keys,
)

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
    say(t("account.created", handle=args.handle, server=args.server, role="therapist" if args.therapist else "client"))
    say(t("account.recoveryOnlyNow"))
    say(recovery)


def cmd_account_login(args: argparse.Namespace) -> None:
    client = _client(args)
    if args.recovery:
        client.accounts.login(args.server, args.handle, recovery=read_recovery_key(), device_name=args.device_name)
        say(t("account.signedInRecovery", handle=args.handle))
    else:
        client.accounts.login(args.server, args.handle, passphrase=read_passphrase(), device_name=args.device_name)
        say(t("account.signedIn", handle=args.handle))


def cmd_account_logout(args: argparse.Namespace) -> None:
    reached = _client(args).accounts.logout(force=args.force)
    say(t("account.signedOut"))
    if not reached:
        warn(t("account.logoutUnreachable"))


def cmd_account_passphrase(args: argparse.Namespace) -> None:
    from ..client.accounts import check_passphrase, kdf_from_env

    client = _client(args)
    client.keys  # noqa: B018 - a signed-out profile fails here, before any prompt
    kdf = kdf_from_env(os.environ)
    if args.recovery:
        current = {"recovery": read_recovery_key()}
    else:
        current = {"passphrase": read_passphrase(prompt=t("prompt.current"))}
    new = read_new_passphrase()
    check_passphrase(new)
    client.accounts.change_passphrase(new, kdf, **current)
    say(t("account.passphraseChanged"))


def cmd_account_delete(args: argparse.Namespace) -> None:
    client = _client(args)
    handle = client.keys.handle
    if not args.yes:
        answer = input(t("account.confirmDelete", handle=handle))
        if answer.strip() != handle:
            raise Said("aborted", t("account.notConfirmed"))
    client.accounts.delete(read_passphrase())
    say(t("account.deleted", handle=handle))


def cmd_device_list(args: argparse.Namespace) -> None:
    import datetime as dt

    def day(ts: int) -> str:
        return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")

    for device in _client(args).accounts.devices():
        say(
            t(
                "device.line",
                id=device.device_id,
                added=day(device.created_at),
                seen=day(device.last_seen_at),
                name=device.name,
                current="yes" if device.current else "no",
            )
        )


def cmd_device_revoke(args: argparse.Namespace) -> None:
    _client(args).accounts.revoke_device(args.device_id)
    say(t("device.revoked", id=args.device_id))


def cmd_entry_add(args: argparse.Namespace) -> None:
    files = [_attachment_file(path, None) for path in args.attach or []]
    client = _client(args)
    record_id = client.add_entry(
        args.kind, parse_fields(args.kind, args.field or [], allow_empty=False), [(d, m, None) for d, m in files]
    )
    say(t("entry.saved", kind=args.kind))
    say(record_id)


def cmd_entry_edit(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    if not args.field:
        raise UsageError(detail=t("entry.nothingToChange"))
    kind = client.editable_kind(record_id)
    version = client.edit_entry(record_id, parse_fields(kind, args.field, allow_empty=True))
    say(t("entry.savedVersion", version=version, id=record_id))


def cmd_entry_delete(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    client.delete_entry(record_id)
    say(t("entry.deleted", id=record_id))


def cmd_entry_list(args: argparse.Namespace) -> None:
    problems: list[str] = []
    entries = _client(args).entries(problems=problems)
    for line in problems:
        warn(line)
    if args.json:
        print_json(without_keys(entries))
    elif not entries:
        say(t("entry.none"))
    else:
        for entry in entries:
            say(entry_line(entry))


def cmd_entry_show(args: argparse.Namespace) -> None:
    entry = _client(args).entry(args.id)
    print_json(without_keys(entry)) if args.json else print_entry(entry)


def cmd_kinds(args: argparse.Namespace) -> None:
    from ..core import kinds

    # The names to type (kind ids, field names, choice ids) beside the words every other output shows instead.
    for kind in map(in_words, kinds.all_kinds()):
        say(f"{kind.id}: {kind.label}")
        for f in kind.fields:
            say(t("kinds.field", id=f.id, label=f.label, type=f.type, required="yes" if f.required else "no"))
            for o in f.constraints.options:
                say(f"    {o.id}: {o.label}")


def _report(report) -> None:
    for line in report.warnings:
        warn(line)
    if report.restored:
        say(t("restore.done"))
    say(
        t(
            "sync.summary",
            pulled=report.pulled,
            pushed=report.pushed,
            merged=report.merged,
            conflicts=report.conflicts_kept,
        )
    )
    if report.failed:
        for line in report.failed:
            print(t("error.prefix", message=notice_words(line)), file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def cmd_sync(args: argparse.Namespace) -> None:
    client = _client(args)
    try:
        _report(client.sync())
    except BetweenError as exc:
        if exc.code == "unreachable":
            raise Said("unreachable", t("sync.unreachable")) from exc
        raise


def _sync_after(client, done: str) -> None:
    """Share and unshare try to reach the server at once; offline they stay queued."""
    try:
        report = client.sync()
    except BetweenError as exc:
        if exc.code == "unreachable":
            say(t("sync.queued", done=done))
            raise Said("unreachable", t("sync.savedLater")) from None
        raise
    _report(report)
    say(t("sync.done", done=done))


def cmd_share(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    client.share(record_id, args.with_)
    _sync_after(client, t("share.shared", id=record_id, handle=args.with_))


def cmd_unshare(args: argparse.Namespace) -> None:
    client = _client(args)
    record_id = client.resolve(args.id)
    for line in client.unshare(record_id, args.with_):
        warn(line)
    _sync_after(client, t("share.stopped", id=record_id, handle=args.with_))


# A file's ending -> the media type of an attachment made from it (PROTOCOL.md §19), when --media does not say.
MEDIA_BY_SUFFIX = {
    ".webm": "audio/webm",
    ".weba": "audio/webm",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".png": "image/png",
}


def _attachment_file(file: str, media: str | None) -> tuple[bytes, str]:
    """A file to attach, read, with its media type (--media, else by its ending)."""
    from ..core.attachments import MAX_ATTACHMENT_BYTES

    media = media or MEDIA_BY_SUFFIX.get(Path(file).suffix.lower())
    if media is None:
        raise UsageError(detail=t("attachment.whichMedia", file=file, types=", ".join(sorted(MEDIA_TYPES))))
    try:
        if Path(file).stat().st_size > MAX_ATTACHMENT_BYTES:
            raise Said("too_large", t("attachment.tooLarge", file=file))
        data = Path(file).read_bytes()
    except OSError as exc:
        raise Said("unreadable", t("attachment.unreadable", file=file, why=type(exc).__name__)) from None
    if not data:
        raise Said("empty", t("attachment.empty", file=file))
    return data, media


def cmd_attach(args: argparse.Namespace) -> None:
    from .terminal import attachment_words

    data, media = _attachment_file(args.file, args.media)
    client = _client(args)
    record_id = client.resolve(args.id)
    item = client.attach(record_id, data, media, args.field)
    _sync_after(client, t("attachment.added", words=attachment_words(item), id=record_id))


def cmd_attachment_list(args: argparse.Namespace) -> None:
    from .terminal import attachment_words

    items = _client(args).attachment_items(args.id)
    if not items:
        say(t("attachment.none"))
    for item in items:
        say(f"{item['id']}  {attachment_words(item)}")


def cmd_attachment_save(args: argparse.Namespace) -> None:
    from .terminal import attachment_words

    client = _client(args)
    item, data = client.attachment(args.id, args.attachment)
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        # Decrypted: readable by this person only (0600), as the saved copies and the keys file are.
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if args.force else os.O_EXCL) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(args.out, flags, 0o600), "wb") as out:
            if args.force and hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), 0o600)  # a file written over keeps no wider mode it had
            out.write(data)
    except FileExistsError:
        raise Said("exists", t("attachment.exists", file=args.out)) from None
    except OSError as exc:
        raise Said("unwritable", t("attachment.unwritable", file=args.out, why=type(exc).__name__)) from None
    say(t("attachment.saved", words=attachment_words(item), file=args.out))


def cmd_shared_list(args: argparse.Namespace) -> None:
    client = _client(args)
    try:
        for line in client.sync().warnings:
            warn(line)
    except BetweenError as exc:
        if exc.code != "unreachable":
            raise
        warn(t("shared.unreachable"))
    problems: list[str] = []
    entries = client.shared_with_me(args.from_, problems)
    for line in problems:
        warn(line)
    if args.json:
        print_json(without_keys(entries))
    elif not entries:
        say(t("shared.noneFrom", handle=args.from_) if args.from_ else t("shared.none"))
    else:
        for entry in entries:
            say(entry_line(entry))


def cmd_invite_create(args: argparse.Namespace) -> None:
    link = _client(args).create_invite()
    say(t("invite.give"))
    say(link)


def cmd_invite_accept(args: argparse.Namespace) -> None:
    client = _client(args)
    handle = client.accept_invite(args.link)
    try:
        client.sync()  # the account's record of this verification goes out now, for this account's other devices
    except BetweenError as exc:
        warn(t("invite.notSynced", detail=problem_words(exc)))
    say(t("invite.linked", handle=handle))


def cmd_contacts(args: argparse.Namespace) -> None:
    peers = _client(args).store.list_peers()
    if not peers:
        say(t("contacts.none"))
    for peer in peers:
        if peer.state in ("changed", "mismatch"):
            state = t(f"contacts.{peer.state}")
        else:
            state = how_words(peer.verified_how, t("how.none"))
        blocked = peer.held and peer.state in ("changed", "mismatch")
        held = t("contacts.held", count=peer.held) if blocked else ""
        say(
            t(
                "contacts.line",
                handle=peer.handle,
                role=peer.role,
                linked="yes" if peer.linked else "no",
                state=state,
                held=held,
            )
        )


def cmd_safety_number(args: argparse.Namespace) -> None:
    client = _client(args)
    number, peer = client.safety_number(args.handle)
    if args.verified:
        if client.mark_verified(args.handle):
            say(t("safety.accepted", handle=args.handle))
        else:
            say(t("safety.marked", handle=args.handle))
        return
    if peer.state in ("changed", "mismatch", "unverified"):
        warn(t(f"safety.{peer.state}", handle=args.handle))
    say(t("safety.with", handle=args.handle, how=how_words(peer.verified_how, peer.verified_how)))
    say(number)


HOW_WORDS = {"invite-link": "how.invite", "safety-number": "how.safetyNumber", "tofu": "how.none"}


def how_words(how: str, otherwise: str) -> str:
    """How a contact's key was verified, in words (`how.*`); `otherwise` for a way this version does not know."""
    return t(HOW_WORDS[how]) if how in HOW_WORDS else otherwise


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
        raise Said("unreadable", t("import.unreadable", file=args.file, why=type(exc).__name__)) from None
    items = parse(text)  # before the profile is opened: a file that is not JSON changes nothing
    n = _client(args).import_copy(items)
    say(
        t(
            "import.done",
            broughtBack=n["brought_back"],
            already=n["already"],
            unreadable=n["unreadable"],
            notEntries=n["not_entries"],
        )
    )
    if n["brought_back"]:
        say(t("import.syncNext"))


def cmd_server_admin(args: argparse.Namespace) -> None:
    """`between backup | check | restore`: the server's own commands, found like `serve` (never imported)."""
    found = entry_points(group="between.serve", name="backup")
    if not found:
        raise Said("no_server", t("serve.notInstalled"))
    status = next(iter(found)).load()([args.command, *args.rest])
    if status:
        raise SystemExit(status)


def cmd_serve(args: argparse.Namespace) -> None:
    for name in CLIENT_ENV:
        os.environ.pop(name, None)
    # The server is found through its entry point (pyproject.toml, group `between.serve`), never imported: the
    # CLI is a client and must run where the server is not installed.
    found = entry_points(group="between.serve", name="serve")
    if not found:
        raise Said("no_server", t("serve.notInstalled"))
    if args.log_format:
        os.environ["BETWEEN_LOG_FORMAT"] = args.log_format
    # `--dev`: the server's own flag (it knows where the sources are)
    next(iter(found)).load()(
        args.host, args.port, args.data, database=args.database, workers=args.workers, dev=args.dev
    )
