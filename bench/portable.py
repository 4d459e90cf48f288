"""Cold grade on the portable path (no fork, no Unix sockets, no process groups: Windows-like),
as a ratio to the floor measured in the same run, interleaved with the Linux path's.

    .venv/bin/python bench/portable.py [--runs 9]

The portable path runs the grader with tests/profiles/windows_like on PYTHONPATH, so it
starts the learner's app in a fresh interpreter, exactly as on Windows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = Path(sys.executable).with_name("grade")
SOLUTION = ROOT / "solution/cors-headers/main.py"
WINDOWS_LIKE = {**os.environ, "PYTHONPATH": str(ROOT / "tests/profiles/windows_like")}


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    floor_command = [sys.executable, "-c", "import fastapi, uvicorn"]
    grade_command = [str(GRADE), str(SOLUTION), "--json"]
    for command, env in ((floor_command, None), (grade_command, None), (grade_command, WINDOWS_LIKE)):
        timed(command, env)  # warm the disk cache
    floors, linux, portable = [], [], []
    for _ in range(args.runs):
        floors.append(timed(floor_command))
        linux.append(timed(grade_command))
        portable.append(timed(grade_command, WINDOWS_LIKE))
    floor = statistics.median(floors)
    rows = [
        ("floor: python -c 'import fastapi, uvicorn'", floor),
        ("cold grade, Linux path (sandboxed)", statistics.median(linux)),
        ("cold grade, portable path (Windows-like)", statistics.median(portable)),
    ]
    print(f"medians over {args.runs} interleaved runs")
    for name, value in rows:
        print(f"{name:<45} {value * 1000:7.0f} ms  {value / floor:5.2f}x floor")


if __name__ == "__main__":
    main()
