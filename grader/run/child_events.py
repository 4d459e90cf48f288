"""The one door for what the learner's process says about itself: its status-pipe events.

Learner code runs in that process and can write to the pipe too, so every line is parsed
here, checked for type, size and order, and anything unexpected becomes a `Violation`:
that submission's own failed start, never the grader's error. An event can explain why a
start failed or carry the app's report of itself (served.py); none grants anything, and
whether the app serves is never an event: the grader connects and sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from grader.read.text_safety import clean

MAX_LINE = 256 * 1024
MAX_FRAMES = 12
# Events that end the start: the module could not be loaded or served.
ENDINGS = {"server-call", "exit", "crash", "no-app", "not-app", "sandbox"}
# What may come after what: the child reports each stage once, in this order. Whether the
# app serves is never an event: the grader connects and sees (server.py).
FOLLOWS: dict[str | None, set[str]] = {None: {"started", "sandbox"}, "started": {"imported", *ENDINGS}, "imported": set()}


@dataclass(frozen=True)
class Event:
    name: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    """The pipe carried something the grader's child never sends."""

    reason: str


def parse_event(line: bytes, previous: str | None) -> Event | Violation:
    """The event on `line`, given the name of the one before it (None for the first)."""
    if len(line) > MAX_LINE:
        return Violation(f"a status line of {len(line)} bytes")
    try:
        raw = json.loads(line)
    except ValueError:
        return Violation("a status line that is not JSON")
    if not isinstance(raw, dict) or not isinstance(raw.get("event"), str):
        return Violation("a status line without an event name")
    name = raw["event"]
    if name not in FOLLOWS.get(previous, set()):
        return Violation(f"the event {clean(name, 40)!r} after {previous or 'nothing'}")
    data = _checked(name, raw)
    return Violation(f"a malformed {name!r} event") if data is None else Event(name, data)


def _checked(name: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    """The event's fields, each of the expected type and cleaned; None when one is not."""
    if name == "started":
        return {}
    if name == "sandbox":
        reason = raw.get("reason")
        return {"reason": clean(reason, 500)} if isinstance(reason, str) else None
    if name == "imported":
        return {"app": raw.get("app")}  # served.served_app_from checks its shape
    frames = _frames(raw.get("frames", []))
    if frames is None:
        return None
    if name == "server-call":
        return {"frames": frames}
    if name == "exit":
        code = raw.get("code")
        if not (code is None or isinstance(code, int | str)):
            return None
        return {"code": clean(code, 200) if isinstance(code, str) else code, "frames": frames}
    if name == "crash":
        exception = raw.get("exception")
        return {"exception": clean(exception, 2000), "frames": frames} if isinstance(exception, str) else None
    if name == "no-app":
        attr, candidates = raw.get("attr"), raw.get("candidates")
        if not isinstance(attr, str) or not isinstance(candidates, list):
            return None
        if not all(isinstance(item, str) for item in candidates):
            return None
        return {"attr": clean(attr, 100), "candidates": [clean(item, 100) for item in candidates[:20]]}
    if name == "not-app":
        fields = {key: raw.get(key) for key in ("attr", "type", "value")}
        texts = {key: value for key, value in fields.items() if isinstance(value, str)}
        return {key: clean(value, 100) for key, value in texts.items()} if len(texts) == len(fields) else None
    return None


def _frames(raw: object) -> list[dict[str, Any]] | None:
    if not isinstance(raw, list):
        return None
    frames = []
    for frame in raw[-MAX_FRAMES:]:
        if not isinstance(frame, dict):
            return None
        line = frame.get("line")
        texts = [frame.get(key) for key in ("file", "code", "function")]
        if not isinstance(line, int) or isinstance(line, bool) or not all(isinstance(t, str) for t in texts):
            return None
        file, code, function = (clean(str(text), 300) for text in texts)
        frames.append({"file": file, "line": line, "code": code, "function": function})
    return frames
