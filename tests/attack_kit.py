"""A throwaway course and virtualenv to grade hostile submissions in.

An attack that works must not damage the real checkout or the real virtualenv, so every
attack test grades from a copy: the course (grader/, lessons/, exercise/, solution/) copied
into a temporary folder, and a virtualenv of its own made without pip, whose one .pth file
puts the copy and the real venv's site-packages on sys.path (it starts in a second).
Hostile submissions are the lesson's untouched starter with an attack appended
(tests/attacks/*.py), so the true verdict is always "fail".
"""

from __future__ import annotations

import compileall
import re
import hashlib
import json
import threading
import os
import secrets
import shutil
import signal
import site
import tempfile
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ATTACKS = Path(__file__).resolve().parent / "attacks"
LESSON = "cors-headers"
STARTER = ROOT / "exercise" / LESSON / "main.py"
SOLUTION = ROOT / "solution" / LESSON / "main.py"
COPIED = ("grader", "lessons", "exercise", "solution")
# New files that a grade may legitimately leave in the course: the learner's progress.
ALLOWED_NEW = {".grader-progress.json"}
# New files that are code wherever they appear (a .pth runs at every Python start).
CODE_SUFFIXES = {".py", ".pyc", ".pth", ".so", ".txt"}


@dataclass
class Graded:
    code: int | None  # None when the grade had to be killed
    stdout: str
    stderr: str
    timed_out: bool

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json_lines(self) -> list[dict[str, Any]]:
        """stdout as one JSON object per line; fails the test on anything else (a forged or
        broken line is exactly what these tests look for)."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        parsed = []
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                pytest.fail(f"stdout holds a line that is not JSON: {line[:300]!r}\nstderr: {self.stderr[-2000:]}")
        return parsed

    def only_json(self) -> dict[str, Any]:
        """The single JSON object a one-file `--json` grade prints."""
        lines = self.json_lines()
        assert len(lines) == 1, f"expected one JSON object on stdout, got {len(lines)}: {self.stdout[:2000]!r}"
        return lines[0]


@dataclass
class Lab:
    """One throwaway course + venv, and everything a test needs to attack it."""

    root: Path
    course: Path
    venv: Path
    home: Path
    submissions: Path
    marker: str
    secret: str  # planted in the grader's environment and the reference solution
    env: dict[str, str] = field(default_factory=dict)

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        return next((self.venv / "lib").glob("python3*/site-packages"))

    # -- submissions ------------------------------------------------------------

    def hostile(self, name: str, attack: str, base: Path = STARTER, **values: object) -> Path:
        """`base` (the starter by default) with tests/attacks/`attack`.py appended; each
        `KEY=value` replaces the string "__KEY__" in the attack's text."""
        text = (ATTACKS / "_prelude.py").read_text() + "\n" + (ATTACKS / f"{attack}.py").read_text()
        values = {"MARKER": self.marker, "COURSE": self.course, **values}
        for key, value in values.items():
            text = text.replace(f"__{key}__", str(value))
        return self.write(name, base.read_text() + "\n\n# --- appended by the attacker ---\n" + text)

    def good(self, name: str) -> Path:
        return self.write(name, SOLUTION.read_text())

    def write(self, name: str, text: str) -> Path:
        path = self.submissions / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    # -- grading ----------------------------------------------------------------

    def grade(
        self, *args: str | Path, timeout: float = 60, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> Graded:
        """`python -m grader ARGS` from the throwaway venv, killed with its whole process
        group (and anything of this lab's left behind) if it outlives `timeout`."""
        return run_bounded(
            [str(self.python), "-m", "grader", *map(str, args)],
            cwd=cwd or self.course,
            env={**self.env, **(env or {})},
            timeout=timeout,
            lab=self,
        )

    # -- what changed -----------------------------------------------------------

    def snapshot(self) -> dict[str, str]:
        """Hashes of every file of the course copy, its venv and HOME."""
        found: dict[str, str] = {}
        for top in (self.course, self.venv, self.home):
            for folder, dirs, files in os.walk(top):
                for name in files + [d for d in dirs if (Path(folder) / d).is_symlink()]:
                    path = Path(folder) / name
                    found[str(path)] = _digest(path)
        return found

    def changes(self, before: dict[str, str]) -> list[str]:
        """Files changed, removed or added since `before` (see ALLOWED_NEW)."""
        after = self.snapshot()
        changed = [f"changed: {p}" for p in before if p in after and after[p] != before[p]]
        removed = [f"removed: {p}" for p in before if p not in after]
        added = [f"added: {p}" for p in after if p not in before and self._suspicious(Path(p))]
        return changed + removed + added

    def _suspicious(self, added: Path) -> bool:
        """A new file an attack would leave: code anywhere, anything in the course's own
        folders or named by the attacker. (A grader may keep other files of its own, a
        manifest or a cache, in HOME or its venv.)"""
        if added.name in ALLOWED_NEW:
            return False
        in_course = self.course in added.parents and added.relative_to(self.course).parts[0] in COPIED
        return in_course or self.marker in added.name or added.suffix in CODE_SUFFIXES

    def leftovers(self, wait: float = 3.0) -> list[str]:
        """Processes of this lab still running after a grade (given `wait` seconds to go)."""
        deadline = time.monotonic() + wait
        while True:
            found = self._processes()
            if not found or time.monotonic() > deadline:
                return [line for _, line in found]
            time.sleep(0.1)

    def kill_leftovers(self, patience: float = 10.0) -> None:
        """SIGKILL every process of this lab, scanning again until several scans in a row
        find none (a process that keeps forking may be missed by one scan)."""
        deadline = time.monotonic() + patience
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.0 and time.monotonic() < deadline:
            found = self._processes()
            if found:
                quiet_since = time.monotonic()
            for pid, _ in found:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.01)

    def _processes(self) -> list[tuple[int, str]]:
        """Live processes whose command line or environment names this lab or its marker."""
        needles = (str(self.root).encode(), self.marker.encode())
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
                environ = (entry / "environ").read_bytes()
                state = next((l for l in (entry / "status").read_text().splitlines() if l.startswith("State:")), "")
            except OSError:
                continue
            if "zombie" in state:
                continue
            if any(needle in cmdline or needle in environ for needle in needles):
                found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode("utf-8", "replace")[:300]))
        return found


def _digest(path: Path) -> str:
    if path.is_symlink():
        return "link:" + os.readlink(path)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"unreadable: {error}"


def run_bounded(
    command: list[str], *, cwd: Path, env: dict[str, str], timeout: float, lab: Lab | None = None, stdin: Any = None
) -> Graded:
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process.pid)
        if lab is not None:
            lab.kill_leftovers()
        try:
            out, err = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a stopped descendant may hold the pipes open
            out, err = b"", b""
    finally:
        _kill_group(process.pid)
    return Graded(
        None if timed_out else process.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        timed_out,
    )


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def make_lab(base: Path, base_python: str | None = None) -> Lab:
    marker = "atk" + secrets.token_hex(6)
    course = base / "course"
    secret = "SECRET" + secrets.token_hex(8)
    copy_course(course, secret)
    venv = base / "venv"
    make_venv(venv, course, base_python=base_python)
    home = base / "home"
    home.mkdir()
    submissions = base / "submissions"
    submissions.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env.update(
        PYTHONDONTWRITEBYTECODE="1",  # so any .pyc that appears was written by an attacker
        HOME=str(home),
        NO_COLOR="1",
        GRADER_TEST_SECRET=secret,  # the grader's environment: a token no submission may read
        PATH=f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        TMPDIR=str(base / "tmp"),  # the grader's own temporary files go with the lab
    )
    (base / "tmp").mkdir()
    return Lab(base, course, venv, home, submissions, marker, secret, env)


def copy_course(course: Path, secret: str) -> None:
    """The course's files, with `secret` planted in the reference solution and the lesson's
    checks (no submission may ever see either)."""
    for folder in COPIED:
        shutil.copytree(ROOT / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "pyproject.toml", course / "pyproject.toml")
    for private in (course / "solution" / LESSON / "main.py", course / "lessons" / LESSON / "checks.py"):
        private.write_text(private.read_text() + f"\n# instructor's note: {secret}\n")
    # The grader compiles its own package and the lessons before grading (integrity.py); done here first,
    # so the snapshots compare what a submission could change, not that bytecode.
    for code in ("grader", "lessons"):
        compileall.compile_dir(course / code, quiet=1, rx=re.compile(r"[/\\](templates|wrong)[/\\]"))


def make_venv(
    venv: Path, course: Path, seen_as: Path | None = None, venv_seen_as: Path | None = None, base_python: str | None = None
) -> None:
    """A venv without pip whose .pth file adds `course` and the real venv's packages, with
    a `grade` script. `seen_as`/`venv_seen_as`: where they will be seen (a bind mount)."""
    base_python = base_python or getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    packages = next((venv / "lib").glob("python3*/site-packages"))
    lines = [str(seen_as or course), *site.getsitepackages()]
    (packages / "_course.pth").write_text("\n".join(lines) + "\n")
    grade = venv / "bin" / "grade"
    python = (venv_seen_as or venv) / "bin" / "python"
    grade.write_text(f"#!{python}\nimport sys\nfrom grader.launch import main\nsys.exit(main())\n")
    grade.chmod(0o755)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    made = make_lab(tmp_path)
    try:
        yield made
    finally:
        made.kill_leftovers()
        for stray in _strays(made):
            shutil.rmtree(stray, ignore_errors=True) if stray.is_dir() else stray.unlink(missing_ok=True)


# -- as root where namespaces are refused: the `user` protection -------------------------

NOBODY = 65534


def python_for_others() -> str | None:
    """A Python of this version that another user may start, and through which the real
    virtualenv's packages can be read: what the `user` protection needs. None where the
    machine has none (this Python under /root, say), or the tests do not run as root."""
    if os.geteuid() != 0:
        return None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [getattr(sys, "_base_executable", sys.executable), f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    packages = [entry for entry in sys.path if entry.endswith("site-packages")]
    check = "import os, sys; sys.exit(not all(os.access(p, os.R_OK | os.X_OK) for p in sys.argv[1:]))"
    for candidate in dict.fromkeys(candidates):
        try:
            done = subprocess.run(
                [candidate, "-I", "-c", f"import sys; assert sys.version_info[:2] == {sys.version_info[:2]}; {check}", *packages],
                user=NOBODY, group=NOBODY, extra_groups=[], cwd="/", capture_output=True, timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return candidate
    return None


@pytest.fixture
def user_lab() -> Iterator[Lab]:
    """A lab graded as root with namespaces refused (GRADER_SANDBOX=none, as the grader
    sees a Docker container with the default seccomp profile), in a folder other users may
    enter, with a Python they may run: where the grader must fall back to the `user`
    protection."""
    yield from _lab_for_others("none", "/tmp")


@pytest.fixture
def namespaces_lab() -> Iterator[Lab]:
    """A lab graded as root with bubblewrap missing but user namespaces allowed
    (GRADER_SANDBOX=namespaces): the machine's file system is visible to the submission.
    Outside /tmp, as a deployment's course is (each submission's /tmp is its own)."""
    yield from _lab_for_others("namespaces", "/var/tmp")


def _lab_for_others(sandbox: str, parent: str) -> Iterator[Lab]:
    python = python_for_others()
    if python is None:
        pytest.skip("needs root and a Python of this version that other users may run")
    base = Path(tempfile.mkdtemp(prefix="grader-user-lab-", dir=parent))
    base.chmod(0o755)
    made = make_lab(base, base_python=python)
    made.env["GRADER_SANDBOX"] = sandbox
    try:
        yield made
    finally:
        made.kill_leftovers()
        for stray in _strays(made):
            shutil.rmtree(stray, ignore_errors=True) if stray.is_dir() else stray.unlink(missing_ok=True)
        shutil.rmtree(base, ignore_errors=True)


def reported(graded: Graded, marker: str) -> Any:
    """What a probing attack said: the short JSON between two markers in its exit message,
    as a `--json` grade shows it."""
    text = " ".join(_strings(graded.json_lines()))
    assert text.count(marker) >= 2, f"the attack did not report: {graded.output[-3000:]}"
    start = text.index(marker) + len(marker)
    return json.loads(text[start : text.index(marker, start)])


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# The host's shared folders an attack may try to leave files in (named with the lab's marker).
SHARED_FOLDERS = ("/tmp", "/dev/shm", "/dev", "/run")


def _strays(lab: Lab) -> list[Path]:
    return [path for top in SHARED_FOLDERS for path in Path(top).glob(f"*{lab.marker}*")]


def assert_clean(lab: Lab, before: dict[str, str]) -> None:
    """Nothing changed outside the submissions, and nothing of the grade still runs."""
    changed = lab.changes(before)
    assert changed == [], f"files changed outside the submissions' copies: {changed[:5]}"
    assert lab.leftovers() == [], "processes left running"
    assert _strays(lab) == [], "files left in the host's shared folders"


# -- grading in every mode a verdict is relied on ---------------------------------------


def grade_in(lab: Lab, mode: str, hostile: Path, timeout: float = 60) -> Graded:
    """Grade `hostile` in `mode`: "single" (--json), "gradescope", "batch" (beside a correct
    solution, --json), "watch" (--watch --json, first grade only) or "watch-save" (the
    grade of a save in watch mode, see watch_once)."""
    if mode == "single":
        return lab.grade(hostile, "--lesson", LESSON, "--json", timeout=timeout)
    if mode == "gradescope":
        return lab.grade(hostile, "--lesson", LESSON, "--format", "gradescope", timeout=timeout)
    if mode == "batch":
        return lab.grade(hostile, lab.good("good/main.py"), "--lesson", LESSON, "--json", timeout=timeout)
    if mode == "watch":
        return watch_once(lab, hostile, timeout)
    if mode == "watch-save":
        return watch_once(lab, hostile, timeout, after_a_save=True)
    raise ValueError(mode)


def watch_once(lab: Lab, file: Path, timeout: float = 40, *, after_a_save: bool = False) -> Graded:
    """`grade --watch --json FILE` until its first grade is printed, then Ctrl-C. With
    `after_a_save`, watch starts on the untouched starter and FILE's text is saved over it
    once that is graded: the grade printed is the save's, made in the child the worker forked
    ahead (as every save after the first is)."""
    text = file.read_bytes()
    if after_a_save:
        file.write_bytes(STARTER.read_bytes())
    process = subprocess.Popen(
        [str(lab.python), "-m", "grader", str(file), "--lesson", LESSON, "--watch", "--json"],
        cwd=lab.course, env=lab.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    lines: list[bytes] = []

    def read() -> None:
        assert process.stdout is not None
        lines.append(process.stdout.readline())
        if after_a_save:
            time.sleep(0.5)  # as between two saves: the next child is forked ahead meanwhile
            file.write_bytes(text)
            lines.append(process.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    try:
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
    wanted = 2 if after_a_save else 1
    graded = lines[-1] if len(lines) == wanted else b""
    return Graded(process.returncode, (graded + out).decode("utf-8", "replace"), err.decode("utf-8", "replace"), len(lines) < wanted)


def verdicts(graded: Graded, mode: str) -> tuple[str, str | None]:
    """(the hostile submission's verdict, the correct solution's verdict in a batch)."""
    if mode == "gradescope":
        assert graded.stdout.strip(), f"no results.json at all (exit {graded.code}): {graded.stderr[-2000:]}"
        results = json.loads(graded.stdout)
        return ("pass" if results["score"] == len(results["tests"]) else "fail"), None
    lines = graded.json_lines()
    assert lines, f"no verdict was printed (exit {graded.code}): {graded.stderr[-2000:]}"
    if mode == "batch":
        assert len(lines) == 2, graded.output[-2000:]
        return lines[0]["status"], lines[1]["status"]
    return lines[0]["status"], None


def assert_true_verdicts(graded: Graded, mode: str) -> None:
    assert not graded.timed_out, "the grade did not end"
    hostile, good = verdicts(graded, mode)
    assert hostile == "fail", f"the untouched starter got {hostile}"
    if mode == "batch":
        assert good == "pass", "a correct solution beside the attacker did not pass"


def ends_on_sigterm(lab: Lab, args: list[str], after: float, within: float) -> bool:
    """Start the grader with `args`, send it SIGTERM `after` seconds, and say whether it
    ended `within` seconds more; whatever it left is killed either way."""
    process = subprocess.Popen(
        [str(lab.python), "-m", "grader", *args],
        cwd=lab.course, env=lab.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        time.sleep(after)
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.communicate(timeout=within)
            return True
        except subprocess.TimeoutExpired:
            return False
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        lab.kill_leftovers()
