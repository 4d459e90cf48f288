"""The learner's app sees the process `uvicorn main:app` would give it, in every protection
and in both ways the grader starts it (a fresh child for one file, a warm worker's fork in a
batch): an app cannot tell it is being graded from sys.argv, __main__, sys.modules or the
environment (issue 15, "Probes the app cannot tell from real traffic")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_grade

# The app reports what it sees as its import error: the grader shows that message back.
REPORTER = '''
import json, os, sys
main = sys.modules.get("__main__")
seen = {
    "argv": sys.argv,
    "orig_argv": sys.orig_argv[1:],
    "main_file": getattr(main, "__file__", None),
    "main_names": sorted(n for n in vars(main) if not n.startswith("__")),
    "grader_modules": sorted(n for n in sys.modules if "grader" in n and "editable" not in n or n.endswith(("serve_child", "runner_child", "warm_worker", "process_tree"))),
    "python_env": sorted(k for k in os.environ if k.startswith("PYTHON") or "GRADER" in k.upper()),
}
raise RuntimeError("SEEN" + json.dumps(seen) + "SEEN")
'''


def _seen(run_stdout: str) -> dict[str, object]:
    reports = [json.loads(line) for line in run_stdout.splitlines() if line.strip()]
    message = json.dumps(reports)
    text = message.split("SEEN", 2)[1]
    return json.loads(json.loads(f'"{text}"'))


@pytest.mark.parametrize("sandbox", ["bubblewrap", "none"])
@pytest.mark.parametrize("batch", [False, True], ids=["one file", "batch"])
def test_the_app_sees_what_uvicorn_main_app_shows_it(tmp_path: Path, sandbox: str, batch: bool) -> None:
    (tmp_path / "main.py").write_text(REPORTER)
    files = [tmp_path / "main.py"]
    if batch:
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "main.py").write_text(REPORTER)
        files.append(tmp_path / "other" / "main.py")
    run = run_grade(*files, "--lesson", "cors-headers", "--json", env={"GRADER_SANDBOX": sandbox})
    seen = _seen(run.stdout)
    assert Path(str(seen["argv"][0])).name == "uvicorn" and seen["argv"][1:] == ["main:app"], seen  # type: ignore[index]
    assert seen["orig_argv"] == seen["argv"], seen
    assert Path(str(seen["main_file"])).name == "uvicorn", seen
    assert seen["main_names"] == ["main", "re", "sys"], seen
    assert seen["grader_modules"] == [], seen
    assert seen["python_env"] == [], seen
