"""The documented run_autograder, verbatim, in a pretend /autograder, against the attacks
that forge a grade from inside the grader's own files (issue 9). The broad Gradescope test
is tests/test_gradescope_autograder.py; this one grades from a throwaway course and venv
(tests/attack_kit.py) and adds the rewritten-then-restored module and forged bytecode."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.attack_kit import ROOT, STARTER, copy_course, make_venv, run_bounded


def _documented_run_autograder() -> str:
    """The `run_autograder` script exactly as docs/grading-a-class.md gives it."""
    docs = (ROOT / "docs" / "grading-a-class.md").read_text()
    after = docs.split("`run_autograder`", 1)[1]
    return after.split("```bash\n", 1)[1].split("```", 1)[0]


def _autograder_box(base: Path) -> list[str]:
    """bubblewrap arguments that show `base` as /autograder over a read-only host (the
    real checkout and venv cannot be touched), with a private /tmp and /root."""
    # The host's /proc is bound (not a new one), so that a grader may make its own
    # sandbox inside this one (a fresh proc mount needs a fully visible one above it).
    args = ["bwrap", "--die-with-parent", "--dev", "/dev", "--bind", "/proc", "/proc", "--tmpfs", "/tmp"]
    for entry in sorted(Path("/").iterdir()):
        if entry.name in {"proc", "dev", "tmp", "autograder", "sys", "root"}:
            continue
        if entry.is_symlink():
            args += ["--symlink", os.readlink(entry), str(entry)]
        elif entry.is_dir():
            args += ["--ro-bind", str(entry), str(entry)]
    # root's home is writable and empty, as on Gradescope, but for the Python runtime.
    args += ["--tmpfs", "/root"]
    for runtime in {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}:
        if runtime.startswith("/root/"):
            args += ["--ro-bind", runtime, runtime]
    return [*args, "--ro-bind", "/sys", "/sys", "--bind", str(base), "/autograder", "--chdir", "/autograder"]


def _tree(root: Path) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in root.rglob("*") if path.is_file()}


GRADESCOPE_ATTACKS = {
    "results-replaced": ("replace_results_file", {}),
    "grader-rewritten": ("rewrite_grader_module", {"THEN": "stay"}),
    "bytecode-planted": ("plant_bytecode", {}),
    "output-forged": ("write_to_grader_stdout", {}),
}


@pytest.mark.parametrize("attack", list(GRADESCOPE_ATTACKS))
def test_gradescope_results_file_holds_the_true_score(tmp_path: Path, attack: str) -> None:
    """The documented run_autograder, verbatim, in a simulated /autograder: whatever the
    submission does, results.json holds the true score and the course is unchanged."""
    if shutil.which("bwrap") is None:
        pytest.skip("needs bubblewrap (bwrap) to show a folder as /autograder")
    base = tmp_path / "autograder"
    copy_course(base / "source", "SECRET" + "0" * 16)
    make_venv(
        base / "source" / ".venv", base / "source", seen_as=Path("/autograder/source"),
        venv_seen_as=Path("/autograder/source/.venv"),
    )
    (base / "results").mkdir()
    marker = "atk" + os.urandom(6).hex()
    name, values = GRADESCOPE_ATTACKS[attack]
    text = (ROOT / "tests/attacks/_prelude.py").read_text() + (ROOT / f"tests/attacks/{name}.py").read_text()
    for key, value in {"MARKER": marker, **values}.items():
        text = text.replace(f"__{key}__", value)
    submission = base / "submission" / "main.py"
    submission.parent.mkdir()
    submission.write_text(STARTER.read_text() + "\n" + text)
    (base / "run_autograder").write_text(_documented_run_autograder())
    box = _autograder_box(base)
    if subprocess.run([*box, "true"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("bubblewrap cannot make namespaces here")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    # What installing the grader does (setup.sh); a grader that needs no such step may refuse it.
    run_bounded([*box, "/autograder/source/.venv/bin/grade", "--check-install", "--record"], cwd=tmp_path, env=env, timeout=60)
    course = _tree(base / "source")
    ran = run_bounded([*box, "bash", "/autograder/run_autograder"], cwd=tmp_path, env=env, timeout=90)
    assert not ran.timed_out
    results = json.loads((base / "results" / "results.json").read_text())
    assert results["score"] == 0, f"the untouched starter scored {results['score']}: {json.dumps(results)[:800]}"
    assert all(test["status"] == "failed" for test in results["tests"]), results["tests"]
    assert marker not in json.dumps(results)
    assert list((base / "results").iterdir()) == [base / "results" / "results.json"]
    after = _tree(base / "source")
    changed = sorted(path for path in course.keys() | after.keys() if course.get(path) != after.get(path))
    assert changed == [], f"the course changed: {changed[:5]}"
