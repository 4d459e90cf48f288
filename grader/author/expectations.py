"""Expected verdicts written at the top of a sample submission, for tests and `lessons verify`.

    # expect: pass
    # expect: fail at add-middleware
    # message: adds GZipMiddleware to `api`
    # steps: import=pass add-middleware=fail live-headers=fail

`message` is a piece of the first failing step's message; `steps` is optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(rb"^#\s*(expect|message|steps|timeout):\s*(.*?)\s*$")


@dataclass(frozen=True)
class Expectation:
    passes: bool
    fails_at: str | None = None
    message: str | None = None
    steps: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None


def read_expectation(path: Path) -> Expectation | None:
    """The expectation in the file's leading comment lines, or None when it has none."""
    values: dict[str, str] = {}
    with path.open("rb") as handle:
        for raw in handle.read(65536).splitlines():
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            match = _HEADER.match(raw.strip())
            if not match:
                if raw.strip() and not raw.strip().startswith(b"#"):
                    break
                continue
            values[match.group(1).decode()] = match.group(2).decode("utf-8", "replace")
    expect = values.get("expect")
    if expect is None:
        return None
    steps = dict(item.split("=", 1) for item in values.get("steps", "").split() if "=" in item)
    timeout = float(values["timeout"]) if "timeout" in values else None
    if expect == "pass":
        return Expectation(passes=True, steps=steps, timeout=timeout)
    fails = re.fullmatch(r"fail at (\S+)", expect)
    if not fails:
        raise ValueError(f"{path}: '# expect:' must be 'pass' or 'fail at STEP', not {expect!r}")
    return Expectation(False, fails.group(1), values.get("message"), steps, timeout)
