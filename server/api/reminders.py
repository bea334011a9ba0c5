"""Reminders: a device's push subscription and the coming instants it wants to be woken at (docs/PROTOCOL.md
"Reminders"). The server learns when, never what: ids are the device's own and opaque."""

from __future__ import annotations

from litestar import Request, Router, delete, get, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from between.sync.core import wire

from ..problems import Problem, answers
from ..reminders import endpoint_refusal
from .context import CallerDep, current_caller, now, services

# How far ahead a device may set a fire time: a little more than the app's two weeks.
HORIZON = 62 * 86400


def _enabled(request: Request) -> None:
    if services(request).settings.reminders == "off":
        raise Problem("not_found", "reminders are off on this server")


def _check_endpoint(request: Request, endpoint: str) -> None:
    """Only https on port 443 to a push service of the operator's list (server/reminders.py `endpoint_refusal`)."""
    settings = services(request).settings
    refusal = endpoint_refusal(endpoint, settings.push_services, loopback=settings.push_loopback == "on")
    if refusal is not None:
        raise Problem("push_endpoint_refused", refusal)


@get("/reminders/key", opt=answers("not_found"))
async def push_key(request: Request, caller: CallerDep) -> wire.PushKey:
    _enabled(request)
    vapid = services(request).vapid
    assert vapid is not None
    return wire.PushKey(public_key=vapid.public)


@put("/reminders/subscription", status_code=204, opt=answers("not_found", "push_endpoint_refused", "unavailable"))
async def subscribe(request: Request, caller: CallerDep, data: JSONBody[wire.PushSubscription]) -> None:
    _enabled(request)
    _check_endpoint(request, data.endpoint)
    await services(request).store.reminders.subscribe(caller.user_id, caller.device_id, data, now(request))


@delete("/reminders/subscription", status_code=204, opt=answers("not_found", "unavailable"))
async def unsubscribe(request: Request, caller: CallerDep) -> None:
    """This device's subscription and every fire time it set. Answers 204 when there was none."""
    _enabled(request)
    await services(request).store.reminders.unsubscribe(caller.device_id)


@put("/reminders/times", status_code=204, opt=answers("not_found", "no_subscription", "bad_request", "unavailable"))
async def set_times(request: Request, caller: CallerDep, data: JSONBody[wire.ReminderTimes]) -> None:
    """Replace this device's coming fire times. Times already past are dropped, not refused (the device's clock
    and the server's differ a little); a time beyond the horizon or an id given twice is refused."""
    _enabled(request)
    at = now(request)
    ids = [t.id for t in data.times]
    if len(set(ids)) != len(ids):
        raise Problem("bad_request", "each fire time needs its own id")
    if any(t.at > at + HORIZON for t in data.times):
        raise Problem("bad_request", "a fire time is too far ahead (at most 62 days)")
    svc = services(request)
    if not await svc.store.reminders.set_times(caller.device_id, list(data.times), at):
        raise Problem("no_subscription")
    if svc.sender is not None:
        svc.sender.wake()


@delete("/reminders/times/{reminder_id:str}", status_code=204, opt=answers("not_found", "bad_request", "unavailable"))
async def withdraw(request: Request, caller: CallerDep, reminder_id: FromPath[str]) -> None:
    """One fire time of this device (e.g. its activity was done before its time)."""
    _enabled(request)
    if not (8 <= len(reminder_id) <= 32) or not reminder_id.replace("-", "").replace("_", "").isalnum():
        raise Problem("bad_request", "not a reminder id")
    if not await services(request).store.reminders.withdraw(caller.device_id, reminder_id):
        raise Problem("not_found")


@get("/reminders", opt=answers("not_found"))
async def list_reminders(request: Request, caller: CallerDep) -> wire.Reminders:
    """Every subscription and fire time of the account's devices: what the server holds, for the person to see."""
    _enabled(request)
    return await services(request).store.reminders.of_account(caller.user_id, caller.device_id)


@delete("/reminders", status_code=204, opt=answers("not_found", "unavailable"))
async def clear(request: Request, caller: CallerDep) -> None:
    """Every subscription and fire time of the account's devices."""
    _enabled(request)
    await services(request).store.reminders.clear_account(caller.user_id)


router = Router(
    path="/",
    route_handlers=[push_key, subscribe, unsubscribe, set_times, withdraw, list_reminders, clear],
    tags=["reminders"],
    dependencies={"caller": Provide(current_caller)},
)
