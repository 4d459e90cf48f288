"""The Gradescope scripts of docs/grading-a-class.md, run word for word in a pretend
`/autograder` (bubblewrap binds a temporary folder there), against a hostile submission:
`results.json` must hold the score the submission really earns."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.install_copy import make_install

DOC = ROOT / "docs" / "grading-a-class.md"
AUTOGRADER = Path("/autograder")
LIMIT = 180  # seconds for one pretend Gradescope run

FORGED = {"score": 100.0, "output": "forged", "tests": [{"name": "forged", "score": 100.0, "max_score": 1.0}]}

# Everything an attacker on Gradescope would try: replace results.json, write into the
# grader's stdout through /proc, plant a .pth in the virtualenv, rewrite a grader module.
HOSTILE = f'''
import json as _json, os as _os, pathlib as _pathlib

_FORGED = {json.dumps(json.dumps(FORGED))}


def _try(action):
    try:
        action()
    except Exception:
        pass


_results = _pathlib.Path("/autograder/results/results.json")
_forged = _results.with_name("forged.json")
_try(lambda: _forged.write_text(_FORGED))
_try(lambda: _os.replace(_forged, _results))
_try(lambda: _results.write_text(_FORGED))
for _site in _pathlib.Path("/autograder/source/.venv/lib").glob("python3*/site-packages"):
    _try(lambda: (_site / "zz-forge.pth").write_text("import sys\\n"))
_module = _pathlib.Path("/autograder/source/grader/views/render_gradescope.py")
_try(lambda: _module.write_text(_module.read_text() + "\\n# forged\\n"))
for _pid in _os.listdir("/proc"):
    if _pid.isdigit() and int(_pid) != _os.getpid():
        def _write(pid=_pid):
            with open(f"/proc/{{pid}}/fd/1", "a") as out:
                out.write(_FORGED + "\\n")
        _try(_write)
'''


def documented_script(name: str) -> str:
    """The fenced block that follows the paragraph starting with `name` in the doc."""
    text = DOC.read_text()
    found = re.search(rf"^`{re.escape(name)}`.*?```bash\n(.*?)```", text, re.S | re.M)
    assert found, f"docs/grading-a-class.md has no ```bash block after `{name}`"
    return found.group(1)


def setup_commands() -> str:
    """setup.sh's lines that run the grader (the apt-get and pip lines need the network and
    are done by make_install instead), to run where setup.sh runs them."""
    lines = [line for line in documented_script("setup.sh").splitlines() if line.startswith(".venv/bin/grade")]
    return "cd /autograder/source\n" + "\n".join(lines) + "\n"


def pretend_gradescope(layout: Path, submission: str) -> dict[str, Any]:
    """Run setup.sh's grader lines then run_autograder, verbatim, with `submission` as the
    upload, in a bubblewrap that shows `layout` at /autograder; the results.json it left."""
    code, stderr = run_pretend_gradescope(layout, submission)
    results = layout / "results" / "results.json"
    assert results.is_file(), f"run_autograder wrote no results.json (exit {code}); its stderr:\n{stderr[-3000:]}"
    data: dict[str, Any] = json.loads(results.read_text())
    return data


def run_pretend_gradescope(layout: Path, submission: str, between: str = "") -> tuple[int, str]:
    """Like pretend_gradescope, with the shell command `between` run after setup.sh's lines
    (as the image is built) and before run_autograder; its exit status and stderr."""
    shutil.rmtree(layout / "submission", ignore_errors=True)
    shutil.rmtree(layout / "results", ignore_errors=True)
    (layout / "submission").mkdir()
    (layout / "results").mkdir()
    (layout / "submission" / "main.py").write_text(submission)
    (layout / "setup_grader.sh").write_text(setup_commands())
    (layout / "run_autograder").write_text(documented_script("run_autograder"))
    (layout / "run_autograder").chmod(0o755)
    command = [
        *outer_bwrap(layout),
        "bash",
        "-c",
        f"bash /autograder/setup_grader.sh >/dev/null && {between or 'true'} && /autograder/run_autograder",
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, stderr = process.communicate(timeout=LIMIT)
    finally:
        _kill_group(process)
    return process.returncode, stderr.decode()


def outer_bwrap(layout: Path) -> list[str]:
    """What Gradescope's container looks like from inside: the system and Python read-only,
    a writable /autograder, root's home and /tmp empty; no view of this machine's processes."""
    args = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-net"]
    for name in ("bin", "lib", "lib64", "sbin", "usr", "etc"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += ["--ro-bind", str(host), str(host)]
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/root"]
    base = Path(os.path.realpath(sysconfig.get_config_var("prefix") or "/usr"))
    for folder in {str(base), os.path.realpath(sysconfig.get_paths()["purelib"])}:
        if not folder.startswith("/usr/"):
            args += ["--ro-bind", folder, folder]
    args += ["--bind", str(layout), str(AUTOGRADER), "--setenv", "HOME", "/root", "--chdir", "/autograder", "--"]
    return args


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    layout = tmp_path / "autograder"
    make_install(layout, "source", seen_at=AUTOGRADER / "source")
    return layout


def test_run_autograder_gives_a_hostile_submission_its_true_score(layout: Path) -> None:
    lesson = re.search(r"--lesson (\S+)", documented_script("run_autograder"))
    assert lesson, "run_autograder names no lesson"
    starter = (layout / "source" / "exercise" / lesson.group(1) / "main.py").read_text()
    honest = pretend_gradescope(layout, starter)
    assert honest["tests"], honest
    assert 0 <= honest["score"] < len(honest["tests"])  # the starter does not pass: forging shows
    installed = tree(layout / "source")

    hostile = pretend_gradescope(layout, starter + HOSTILE)

    assert hostile["score"] != FORGED["score"]
    assert [(t["name"], t["score"], t["status"]) for t in hostile["tests"]] == [
        (t["name"], t["score"], t["status"]) for t in honest["tests"]
    ]
    assert hostile["score"] == honest["score"]
    assert hostile["output"] == honest["output"]  # not "could not judge": nothing was tampered with
    assert tree(layout / "source") == installed, "the submission changed the grader or its virtualenv"
    assert sorted(p.name for p in (layout / "results").iterdir()) == ["results.json"]


def test_run_autograder_refuses_to_grade_on_an_install_changed_since_setup(layout: Path) -> None:
    module = "/autograder/source/grader/live/live_app.py"
    code, stderr = run_pretend_gradescope(layout, "print('hello')\n", between=f"echo '# changed' >> {module}")
    assert code != 0
    assert f"changed: {module}" in stderr
    assert not (layout / "results" / "results.json").exists()  # Gradescope: "the autograder failed"
