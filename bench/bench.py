"""Speed of the grader, as ratios against a floor measured in the same run.

    .venv/bin/python bench/bench.py [--runs 9] [--saves 20]

Floor: a fresh `python -c "import fastapi, uvicorn"`, the least any grade pays.
Cold grade: `grade` on the reference solution, runs interleaved with the floor.
Watch: `grade --watch --json` on a scratch copy; the time from writing the file to the
next JSON line, over many saves that alternate between a passing and a failing file;
its median is compared with the floor over the solution's saves.
Memory: the peak resident size of one cold grade and of its app process.
Then the timeline of one more cold grade (GRADER_TIMELINE, zero when bench started it),
and the load average: on a busy machine only the ratios mean anything.
"""

from __future__ import annotations

import argparse
import os
import resource
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = Path(sys.executable).with_name("grade")
SOLUTION = ROOT / "solution/cors-headers/main.py"
STARTER = ROOT / "exercise/cors-headers/main.py"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def cold(runs: int) -> tuple[list[float], list[float]]:
    floor_command = [sys.executable, "-c", "import fastapi, uvicorn"]
    grade_command = [str(GRADE), str(SOLUTION), "--json"]
    timed(floor_command), timed(grade_command)  # warm the disk cache for both
    floors, grades = [], []
    for _ in range(runs):
        floors.append(timed(floor_command))
        grades.append(timed(grade_command))
    return floors, grades


def timeline() -> str:
    """One cold grade's stages (grader/run/timeline.py), zero at the instant it was started."""
    env = {**os.environ, "GRADER_TIMELINE": repr(time.monotonic())}
    done = subprocess.run([str(GRADE), str(SOLUTION), "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
    return done.stderr


def watch_latency(saves: int) -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    target = folder / "main.py"
    shutil.copy(STARTER, target)
    process = subprocess.Popen(
        [str(GRADE), str(target), "--lesson", "cors-headers", "--watch", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.PIPE,
    )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    latencies = []
    try:
        _line(process, selector, 30)  # the first grade, before any save
        for index in range(saves):
            time.sleep(0.15)  # let the last grade's app stop, as between real saves
            source = SOLUTION if index % 2 == 0 else STARTER
            start = time.perf_counter()
            target.write_bytes(source.read_bytes())
            _line(process, selector, 30)
            latencies.append(time.perf_counter() - start)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return latencies


def _line(process: subprocess.Popen[bytes], selector: selectors.BaseSelector, timeout: float) -> bytes:
    assert process.stdout is not None
    if not selector.select(timeout):
        raise RuntimeError("watch mode printed nothing in time")
    return process.stdout.readline()


def peak_memory_mb() -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    timed([str(GRADE), str(SOLUTION), "--json"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("NO_COLOR", "1")
    load_before = os.getloadavg()
    floors, grades = cold(args.runs)
    floor, grade = statistics.median(floors), statistics.median(grades)
    latencies = watch_latency(args.saves)
    solution_saves = latencies[0::2]  # even saves write the solution
    memory = peak_memory_mb()
    watch = statistics.median(solution_saves)
    rows = [
        ("floor: python -c 'import fastapi, uvicorn'", f"{floor * 1000:.0f} ms", "1.00x"),
        ("cold grade of the solution", f"{grade * 1000:.0f} ms", f"{grade / floor:.2f}x floor (target <= 1.3x)"),
        ("watch: save -> verdict, median (solution)", f"{watch * 1000:.0f} ms", f"{watch / floor:.2f}x floor (target <= 0.2x)"),
        ("watch: save -> verdict, median (all saves)", f"{statistics.median(latencies) * 1000:.0f} ms", f"{statistics.median(latencies) / floor:.2f}x floor"),
        ("watch: save -> verdict, max", f"{max(latencies) * 1000:.0f} ms", f"over {len(latencies)} saves"),
        ("peak memory of one process", f"{memory:.0f} MB", ""),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'median':>8}  ratio / note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>8}  {note}")
    print(f"(medians of {args.runs} interleaved runs on {os.cpu_count()} cores; floor runs {_spread(floors)}, grades {_spread(grades)})")
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f} and after {load_after[0]:.2f} (1 min): ", end="")
    print("a quiet machine" if max(load_before[0], load_after[0]) < 0.5 else "a loaded machine, ratios only")
    print(timeline(), end="")


def _spread(times: list[float]) -> str:
    return f"{min(times) * 1000:.0f}-{max(times) * 1000:.0f} ms"


if __name__ == "__main__":
    main()
