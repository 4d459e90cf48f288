"""Is the grader still what was installed? Fingerprints of everything that decides a verdict.

A submission that can write the grader's files (a module imported later, a lesson's checks,
a `.pth` file in the virtualenv, a standard library module, or bytecode Python would load in
place of any of them) can write its own verdict. A batch or a Gradescope grade fingerprints
the install before any learner code runs and again at the end; `grade --check-install`
compares the install with a manifest recorded once, right after installing
(`grade --check-install --record`); without that manifest it is an error, never a fresh start.
"""

from __future__ import annotations

import compileall
import hashlib
import json
import os
import re
import stat
import sys
import sysconfig
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from grader.verdict.results import Report, Status

MANIFEST_ENV = "GRADER_MANIFEST"
MANIFEST_VERSION = 1
# Python runs these at every start-up, from any folder on sys.path (a `.pth` line that starts
# with `import` is executed): they are always compared by content.
STARTUP_NAMES = frozenset({"sitecustomize", "usercustomize"})
SHOWN_CHANGES = 10
# Folders of the standard library no grade imports from, and large: left out of the walk.
# (Packages installed next to the standard library are the virtualenv's business when it
# uses them, and then they are on its path.)
STDLIB_SKIPPED = frozenset({"site-packages", "dist-packages", "test", "idlelib", "tkinter", "turtledemo"})
# A folder's permissions for "others" to read and enter: the `user` protection takes them
# from the course's private folders (unprivileged.py), which changes nothing a grade relies on.
OTHERS_READ = stat.S_IROTH | stat.S_IXOTH
# Python files that are data to the grader, never imported: templates, and each lesson's
# sample wrong submissions (graded by `lessons verify`, handed over as bytes).
NOT_IMPORTED = re.compile(r"[/\\](templates|wrong)[/\\]")

PACKAGE = Path(__file__).resolve().parent.parent  # the whole grader package


class Entry(NamedTuple):
    """One path as found on disk. `digest`: a file's SHA-256, a link's target, or the kind of a
    folder or special file; None when only the stat signature was taken (fast fingerprints).
    A tuple: a fingerprint holds one per path of the install, some 11,000, made twice a batch."""

    mode: int
    size: int
    mtime_ns: int
    ctime_ns: int  # changes on every write, chmod, rename or utime, and cannot be set back
    inode: int
    digest: str | None = None

    def same_as(self, other: Entry, *, strict: bool) -> bool:
        """`strict` (both fingerprints taken in this process): the stat signatures must match
        too, so a file rewritten and then restored still counts as changed."""
        if strict and self[:5] != other[:5]:
            return False
        if self.digest is not None and other.digest is not None:
            return self.digest == other.digest and _kept_mode(self) == _kept_mode(other)
        return self[:5] == other[:5]


def _kept_mode(entry: Entry) -> int:
    """The mode a comparison looks at: a folder's read and enter bits for others aside."""
    return entry.mode & ~OTHERS_READ if stat.S_ISDIR(entry.mode) else entry.mode


Fingerprint = dict[str, Entry]


def install_roots() -> tuple[Path, ...]:
    """The grader's package, its virtualenv (or, without one, its site-packages), and the
    base Python: its standard library and its interpreter."""
    if sys.prefix != sys.base_prefix:
        environment = [Path(sys.prefix)]
    else:
        import site

        environment = [Path(p) for p in (*site.getsitepackages(), site.getusersitepackages())]
    return (PACKAGE, *dict.fromkeys(p.resolve() for p in (*environment, *_base_python()) if p.exists()))


def _base_python() -> list[Path]:
    paths = sysconfig.get_paths()
    executable = getattr(sys, "_base_executable", "") or sys.executable
    return [Path(paths["stdlib"]), Path(paths["platstdlib"]), Path(os.path.realpath(executable))]


def lessons_of(course: Path | None) -> Path | None:
    """The course's lessons folder (their checks and shared helpers decide verdicts too)."""
    return course / "lessons" if course is not None and (course / "lessons").is_dir() else None


def fingerprint(*, deep: bool, lessons: Path | None = None) -> Fingerprint:
    """Every path under the install roots and `lessons`. The grader's package, the lessons
    and the start-up files are hashed always; the rest only when `deep` (a stat signature
    is enough within one run, and about six times faster: 40 ms against 250 ms for a
    7,000-file virtualenv)."""
    found: Fingerprint = {}
    package, *others = install_roots()
    stdlib = {str(folder) for folder in _base_python()[:2]}
    for root in others:
        found.update(_walk(root, hash_files=deep, skipped=STDLIB_SKIPPED if str(root) in stdlib else frozenset()))
    found.update(_walk(package, hash_files=True))
    if lessons is not None:
        found.update(_walk(lessons.resolve(), hash_files=True))
    for path in _startup_files():
        found.update(_walk(path, hash_files=True))
    return found


def changes(before: Fingerprint, after: Fingerprint, *, strict: bool) -> list[str]:
    """What differs, one line per path: 'changed: PATH', 'added: PATH' or 'removed: PATH'."""
    found = [f"removed: {path}" for path in before.keys() - after.keys()]
    found += [f"added: {path}" for path in after.keys() - before.keys()]
    found += [
        f"changed: {path}"
        for path in before.keys() & after.keys()
        if before[path] != after[path]  # equal entries are the same by any measure
        and not before[path].same_as(after[path], strict=strict and not _bytecode(path))
    ]
    return sorted(found, key=lambda line: line.split(": ", 1)[1])


def _bytecode(path: str) -> bool:
    """Whether `path` is a bytecode cache (or its folder). Two grades starting at once may
    both write the same stale file, with the same bytes: compared by content, not by stat."""
    return f"{os.sep}__pycache__" in path


def describe(found: list[str]) -> str:
    shown = "\n".join(f"  {line}" for line in found[:SHOWN_CHANGES])
    more = len(found) - SHOWN_CHANGES
    return shown + (f"\n  ... and {more} more" if more > 0 else "")


class InstallGuard:
    """Taken before a grade runs learner code; `confirm` voids a grade during which the install changed."""

    def __init__(self, course: Path | None = None) -> None:
        self._lessons = lessons_of(course)
        _compile_package(self._lessons)  # so that importing a grader module later writes no bytecode
        self._before = fingerprint(deep=False, lessons=self._lessons)
        self.found: list[str] = []  # what changed, as of the last `confirm`

    def confirm(self, reports: Iterable[Report]) -> list[Report]:
        """`reports` as they are, or every one voided when the install changed meanwhile."""
        kept = list(reports)
        self.found = changes(self._before, fingerprint(deep=False, lessons=self._lessons), strict=True)
        return kept if not self.found else [void(report, self.found) for report in kept]


def void(report: Report, found: list[str]) -> Report:
    """An error verdict in place of `report`: no step counts, whatever it said."""
    reason = (
        "The grader's own files changed while this was graded, so a submission may have tampered "
        "with the grader and this grade cannot be trusted. Reinstall the grader, then grade again "
        "with the sandbox on (do not use --no-sandbox). What changed:\n" + describe(found)
    )
    steps = tuple(
        replace(
            step,
            status=Status.SKIP,
            message="Not graded: the grader's files changed during the grade.",
            line=None,
            hint=None,
            details=(),
            more_hints=(),
        )
        for step in report.steps
    )
    return replace(report, steps=steps, error=reason)


# -- the recorded manifest --------------------------------------------------------------


def manifest_path() -> Path:
    """$GRADER_MANIFEST, else a file in the user's state folder named after this install.
    It lives outside the course and the virtualenv: nothing a submission may write."""
    if os.environ.get(MANIFEST_ENV):
        return Path(os.environ[MANIFEST_ENV])
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    key = hashlib.sha256("\n".join(map(str, install_roots())).encode()).hexdigest()[:16]
    return state / "grade" / f"install-{key}.json"


def record(path: Path, course: Path | None = None) -> int:
    """Write the manifest of this install; returns how many paths it holds. Only its owner
    may change it (a submission runs as someone else, or cannot see it)."""
    lessons = lessons_of(course)
    _compile_package(lessons)
    found = fingerprint(deep=True, lessons=lessons)
    data = {
        "version": MANIFEST_VERSION,
        "recorded": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "roots": [str(root) for root in (*install_roots(), *([lessons] if lessons else []))],
        "files": {name: _entry_as_list(entry) for name, entry in sorted(found.items())},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=0))
    temporary.chmod(0o644)
    temporary.replace(path)
    return len(found)


class ManifestError(Exception):
    """The recorded manifest is missing or unreadable; the message says what to do."""


def check(path: Path, course: Path | None = None) -> tuple[list[str], int, str]:
    """Differences between the install and the manifest at `path`; the number of paths
    checked; when the manifest was recorded."""
    if not path.exists():
        raise ManifestError(
            f"no manifest at {path}, so there is nothing to compare the install with. A manifest that "
            "was recorded and is now gone may have been deleted to hide a change: reinstall the grader "
            "if you cannot tell, then record it: grade --check-install --record"
        )
    try:
        data = json.loads(path.read_text())
        recorded = {name: Entry(*fields) for name, fields in data["files"].items()}
        when = str(data["recorded"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ManifestError(
            f"the manifest at {path} cannot be read ({error}); record it again: grade --check-install --record"
        ) from None
    lessons = lessons_of(course)
    _compile_package(lessons)
    return changes(recorded, fingerprint(deep=True, lessons=lessons), strict=False), len(recorded), when


# -- walking the disk ---------------------------------------------------------------------


def _startup_files() -> Iterator[Path]:
    for folder in dict.fromkeys(Path(entry or ".").resolve() for entry in sys.path):
        try:
            names = sorted(os.listdir(folder))
        except OSError:  # a zip file, or a folder that is gone
            continue
        for name in names:
            if name.endswith(".pth") or name.split(".", 1)[0] in STARTUP_NAMES:
                yield folder / name


def _walk(root: Path, *, hash_files: bool, skipped: frozenset[str] = frozenset()) -> Iterator[tuple[str, Entry]]:
    """`root` and everything under it, never following a symbolic link; folders named in
    `skipped`, right under `root`, are left out. Paths stay strings: an object per path
    would be most of the walk's time."""
    top = str(root)
    try:
        info = os.lstat(top)
    except OSError:
        return
    yield top, _entry(top, info, hash_files)
    if not stat.S_ISDIR(info.st_mode):
        return
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as scanned:
                items = list(scanned)
        except OSError:
            continue
        for item in items:
            try:
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                if folder == top and item.name in skipped:
                    continue
                pending.append(item.path)
            yield item.path, _entry(item.path, info, hash_files)


def _entry(path: str, info: os.stat_result, hash_file: bool) -> Entry:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        digest = _sha256(path) if hash_file else None
    elif stat.S_ISLNK(mode):
        digest = "link:" + os.readlink(path)
    else:
        # A folder's size and times change when Python writes bytecode into it; its entries are
        # compared one by one anyway, so a deep comparison looks only at its kind and mode.
        digest = "folder" if stat.S_ISDIR(mode) else "special"
    return Entry(mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, digest)


def _sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None  # unreadable: the stat signature still counts


def _entry_as_list(entry: Entry) -> list[int | str | None]:
    return [entry.mode, entry.size, entry.mtime_ns, entry.ctime_ns, entry.inode, entry.digest]


def _compile_package(lessons: Path | None = None) -> None:
    """Write any missing or stale bytecode of the grader's package (and the lessons) now,
    before a fingerprint, so a later import of one of their modules changes nothing on disk:
    the bytecode Python will load is fingerprinted with the rest. Quiet, and a no-op where
    they are read-only. Templates and sample submissions are data, not code the grader imports."""
    for folder in (PACKAGE, *([lessons] if lessons is not None else [])):
        compileall.compile_dir(folder, quiet=2, rx=NOT_IMPORTED)


def check_install_command(record_now: bool, course: Path | None = None) -> int:
    """`grade --check-install [--record]`: what it prints, and its exit status."""
    import click

    path = manifest_path()
    if record_now:
        try:
            count = record(path, course)
        except OSError as error:
            click.echo(f"grade: cannot record the install's manifest at {path}: {error.strerror}. "
                       "Set $GRADER_MANIFEST (or $XDG_STATE_HOME) to a place you may write.", err=True)
            return 2
        click.echo(f"Recorded {count} paths of the grader, the lessons, its virtualenv and Python in {path}.")
        click.echo("Later runs of grade --check-install compare the install with them.")
        return 0
    try:
        found, count, when = check(path, course)
    except ManifestError as problem:
        click.echo(f"grade: {problem}", err=True)
        return 2
    if found:
        click.echo(
            f"The grader, its lessons, its virtualenv or its Python changed since the manifest was recorded ({when}, {path}):\n"
            + describe(found)
            + "\nIf you did not change them yourself, reinstall the grader before grading again.",
            err=True,
        )
        return 1
    click.echo(f"The grader, its lessons, its virtualenv and its Python are unchanged since {when}: {count} paths checked against {path}.")
    return 0
