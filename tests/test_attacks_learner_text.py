"""Learner text cannot draw a line of the grader's (issue 15).

In the text view every line of a learner's text is indented under its step, whatever line
breaks it holds (newlines, U+2028/U+2029, NEL); every JSON output is one object per line
for any line-based reader and valid UTF-8, whatever the learner's bytes (lone surrogates
in a message, invalid UTF-8 in a file name).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.attack_kit import LESSON, SOLUTION, Lab

FAKE = "FAKEBADGE"
# Every line break some reader honours, each followed by what would be a PASS line.
BREAKS = ["\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\r\n"]
FORGED = "".join(f"{brk} PASS  {n}. {FAKE}" for n, brk in enumerate(BREAKS, start=1))
# What a strict reader or a terminal must never receive raw from learner text.
INVISIBLE = "\u202e\u2066\u200b\u200d\u2060\ufeff\u00ad\U000e0041"
BADGE = re.compile(r"^ ?(PASS|FAIL|SKIP|ERROR|STOP)\b")


def _raw_grade(lab: Lab, *args: str | Path, cwd: Path | None = None) -> tuple[int, bytes, bytes]:
    """`grade ARGS` with its output as bytes, exactly as a reader gets them."""
    done = subprocess.run(
        [str(lab.python), "-m", "grader", *map(os.fsencode, args)],
        cwd=cwd or lab.course, env=lab.env, capture_output=True, timeout=90, stdin=subprocess.DEVNULL,
    )
    return done.returncode, done.stdout, done.stderr


def _hostiles(lab: Lab) -> list[Path]:
    """A crash whose message forges PASS lines (with a lone surrogate and invisible
    characters), and a file whose CORS origin, quoted back by the static step, does."""
    crash = lab.hostile("mallory/main.py", "raise_text", TEXT=repr(f"boom{FORGED} \udcff\ud800 {INVISIBLE}"))
    quoted = lab.write(
        "trudy/main.py",
        SOLUTION.read_text().replace('allow_origins=["*"]', f"allow_origins=[{'http://a.test' + FORGED!r}]"),
    )
    return [crash, quoted]


def _assert_no_forged_lines(text: str) -> None:
    lines = text.splitlines()  # Python's line breaks: every one in BREAKS
    forged = [line for line in lines if FAKE in line and BADGE.match(line)]
    assert forged == [], f"learner text drew a badge line: {forged[:3]}"
    flush_left = [line for line in lines if FAKE in line and not line.startswith("  ")]
    assert flush_left == [], f"learner text started a line of its own: {flush_left[:3]}"
    raw = sorted({f"U+{ord(c):04X}" for c in text if c in INVISIBLE or c in "\u2028\u2029\x85"})
    assert raw == [], f"invisible or line-breaking characters reached the view raw: {raw}"


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_learner_text_cannot_draw_a_line_in_the_text_view(lab: Lab, mode: str) -> None:
    hostiles = _hostiles(lab)
    runs = [_raw_grade(lab, file, "--lesson", LESSON) for file in hostiles] if mode == "single" else [
        _raw_grade(lab, *hostiles, lab.good("good/main.py"), "--lesson", LESSON)
    ]
    for code, out, err in runs:
        assert code == 1, f"exit {code}: {err.decode(errors='replace')[-2000:]}"
        text = out.decode("utf-8")  # strict: the text view is UTF-8 too
        assert FAKE in text, "the learner's text is not shown at all (the test proves nothing)"
        _assert_no_forged_lines(text)


@pytest.mark.parametrize("mode", ["single", "batch", "gradescope"])
def test_every_json_output_is_valid_utf8_one_object_per_line(lab: Lab, mode: str) -> None:
    hostiles = _hostiles(lab)
    if mode == "batch":
        runs = [_raw_grade(lab, *hostiles, lab.good("good/main.py"), "--lesson", LESSON, "--json")]
        expected = 3
    else:
        fmt = ["--json"] if mode == "single" else ["--format", "gradescope"]
        runs = [_raw_grade(lab, file, "--lesson", LESSON, *fmt) for file in hostiles]
        expected = 1
    for code, out, err in runs:
        assert code == 1, f"exit {code}: {err.decode(errors='replace')[-2000:]}"
        text = out.decode("utf-8")  # strict, as Gradescope reads results.json
        if mode == "gradescope":
            results = json.loads(text)
            assert results["score"] < len(results["tests"])
            assert FAKE in json.dumps(results)
        else:
            lines = text.splitlines()
            assert len(lines) == expected, f"{len(lines)} lines for {expected} objects: {text[:3000]!r}"
            parsed = [json.loads(line) for line in lines]
            assert [p["status"] for p in parsed][: len(hostiles) if mode == "batch" else 1] == ["fail"] * (
                len(hostiles) if mode == "batch" else 1
            )
        assert not any(c in text for c in INVISIBLE + "\u2028\u2029\x85"), "a raw invisible or line-breaking character"


def test_file_names_with_invalid_utf8_and_escapes_keep_every_output_valid(lab: Lab) -> None:
    """File names are the submitter's text too: invalid UTF-8, a terminal escape, a C1
    control (CSI), a right-to-left override and a line separator."""
    folder = lab.submissions / "class"
    folder.mkdir()
    names = [b"bad\xff.py", b"\x1b[2J\x1b[H PASS.py", b"c1\xc2\x9b31m.py", "rtl\u202eyp.py".encode(), "ls\u2028 PASS.py".encode()]
    for name in names:
        with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
            handle.write(SOLUTION.read_bytes())
    code, out, err = _raw_grade(lab, folder, "--lesson", LESSON, "--json")
    assert code == 0, err.decode(errors="replace")[-2000:]
    text = out.decode("utf-8")
    lines = text.splitlines()
    assert len(lines) == len(names) and all(json.loads(line)["status"] == "pass" for line in lines)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]", text.replace("\n", ""))
    code, out, err = _raw_grade(lab, folder, "--lesson", LESSON)
    assert code == 0 and b"Traceback" not in err, err.decode(errors="replace")[-2000:]
    shown = out.decode("utf-8")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202e]", shown)
    assert len([line for line in shown.splitlines() if BADGE.match(line)]) == len(names)


def test_printable_leaves_no_character_that_breaks_hides_or_is_not_utf8() -> None:
    """Every control, format (bidi, zero-width, tags), separator and surrogate code point
    of this Python's Unicode tables is shown as something visible (the table is written
    out in text_safety.py, so a newer Unicode adding one is caught here)."""
    import sys
    import unicodedata

    from grader.read.text_safety import json_text, printable

    raw = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in {"Cc", "Cf", "Zl", "Zp", "Cs"} and chr(code) not in "\n\t"
    ]
    shown = printable("".join(raw))
    assert [f"U+{ord(c):04X}" for c in raw if c in shown] == []
    shown.encode("utf-8")  # no lone surrogate left
    assert len(shown.splitlines()) == 1
    encoded = json_text({"k": "".join(raw)})
    assert encoded.isascii() and len(encoded.splitlines()) == 1
    json.loads(encoded)["k"].encode("utf-8")  # no lone surrogate escaped either (a strict reader rejects one)
