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
    "flags": [sys.flags.safe_path, sys.flags.dont_write_bytecode, sys.dont_write_bytecode],
    "path0": sys.path[0],
}
import socket
reuse = []
for fd in range(3, 64):
    try:
        s = socket.socket(fileno=os.dup(fd))
    except OSError:
        continue
    try:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            reuse.append(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
    except OSError:
        pass
    s.close()
seen["listening_reuse"] = reuse
if os.path.exists("/proc/self"):  # (empty where the kernel refuses a new /proc: bwrap run by root)
    seen["cmdline_is_orig_argv"] = open("/proc/self/cmdline", "rb").read().decode().split("\\0")[:-1] == sys.orig_argv
    seen["comm"] = open("/proc/self/comm").read().strip()
    seen["proc_env"] = sorted(
        k for k in (e.split("=", 1)[0] for e in open("/proc/self/environ", "rb").read().decode().split("\\0") if e)
        if k.startswith("PYTHON") or "GRADER" in k.upper()
    )
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
    run = run_grade(*files, "--lesson", "cors-headers", "--json", env={"GRADER_SANDBOX": sandbox, "PYTHONDONTWRITEBYTECODE": ""})
    seen = _seen(run.stdout)
    assert Path(str(seen["argv"][0])).name == "uvicorn" and seen["argv"][1:] == ["main:app"], seen  # type: ignore[index]
    assert seen["orig_argv"] == seen["argv"], seen
    assert Path(str(seen["main_file"])).name == "uvicorn", seen
    assert seen["main_names"] == ["main", "re", "sys"], seen
    assert seen["grader_modules"] == [], seen
    assert seen["python_env"] == [], seen
    # What `python -P`, PYTHONDONTWRITEBYTECODE and the grader's command line gave away.
    protection = {json.loads(line)["protection"] for line in run.stdout.splitlines() if line.strip()}
    # Without a sandbox the learner's imports must write no bytecode into the install: the flag
    # is then set (as an interpreter started with it says); in a sandbox nothing gives it away.
    assert seen["flags"] == ([0, 1, True] if protection == {"none"} else [0, 0, False]), seen
    assert seen["path0"] == ".", seen  # uvicorn's --app-dir
    if "comm" in seen or sandbox == "none":  # what /proc/self says, where there is one
        assert seen["cmdline_is_orig_argv"] is True, seen
        assert seen["comm"] == "uvicorn", seen
        assert seen["proc_env"] == [], seen
    assert seen["listening_reuse"] and all(seen["listening_reuse"]), seen  # type: ignore[union-attr]


@pytest.mark.parametrize("lab_kind", ["user_lab", "namespaces_lab"])
def test_run_as_a_user_of_its_own_the_app_sees_what_uvicorn_shows_it(request: pytest.FixtureRequest, lab_kind: str) -> None:
    """As root where bubblewrap is missing (its own user, in namespaces or not), /proc shows
    the app its own process: its command line, name and environment are uvicorn's too."""
    lab = request.getfixturevalue(lab_kind)
    submission = lab.write("learner/main.py", REPORTER)
    graded = lab.grade(submission, "--lesson", "cors-headers", "--json", env={"PYTHONDONTWRITEBYTECODE": ""})
    seen = _seen(graded.stdout)
    assert graded.only_json()["protection"] == {"user_lab": "user", "namespaces_lab": "namespaces"}[lab_kind]
    assert Path(str(seen["argv"][0])).name == "uvicorn" and seen["argv"][1:] == ["main:app"], seen  # type: ignore[index]
    assert seen["flags"] == [0, 0, False] and seen["path0"] == ".", seen
    assert seen["python_env"] == [] and seen["grader_modules"] == [], seen
    assert seen["cmdline_is_orig_argv"] is True and seen["comm"] == "uvicorn" and seen["proc_env"] == [], seen
    assert seen["listening_reuse"] and all(seen["listening_reuse"]), seen  # type: ignore[union-attr]
