"""Batch grading speed: 100 mixed submissions against one cold `grade`, in the same run.

    .venv/bin/python bench/batch.py [--count 100] [--timeout SECONDS] [--fuzz 0]

The batch mixes the sample submissions (correct, wrong, malformed, a few that hang) and is
sandboxed as in real use, with the time limit those that hang declare (`# timeout:` in
their headers, the limit the tests grade them with), unless --timeout says. A batch cannot
end before its slowest submission, and one that hangs takes the whole limit: that
submission is also graded alone, cold, to show how long the batch runs past it; and the same class with those replaced by the solution is
graded too, to show what the rest costs. With --fuzz N it also grades N random mutations
of the solution (a longer robustness run than the bounded one in the tests) and checks
each got a verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = Path(sys.executable).with_name("grade")
SAMPLES = ROOT / "tests/submissions/cors-headers"
SOLUTION = ROOT / "solution/cors-headers/main.py"

sys.path.insert(0, str(ROOT))
from grader.author.expectations import read_expectation  # noqa: E402
from tests.conftest import processes_mentioning  # noqa: E402
from tests.test_batch import HOSTILE, _fingerprint, _mutate  # noqa: E402  (shared with the tests)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def cold_grade(runs: int = 5) -> tuple[float, float]:
    """Medians of one cold grade and of the floor, interleaved."""
    floors, grades = [], []
    for _ in range(runs):
        floors.append(timed([sys.executable, "-c", "import fastapi, uvicorn"]))
        grades.append(timed([str(GRADE), str(SOLUTION), "--json"]))
    return statistics.median(floors), statistics.median(grades)


TIMEOUT = 3.0  # the learner's code's time limit when no sample in the mix declares one


def batch(folder: Path, timeout: float = TIMEOUT) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    done = subprocess.run(
        [str(GRADE), str(folder), "--lesson", "cors-headers", "--json", "--timeout", str(timeout)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    return elapsed, [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--timeout", type=float, help="the learner's code's time limit (s); default: as the samples declare")
    parser.add_argument("--fuzz", type=int, default=0)
    args = parser.parse_args()
    samples = sorted(SAMPLES.glob("*/*.py"))
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        outside = Path(tmp) / "outside"
        outside.mkdir()
        (outside / "keep.txt").write_text("precious")
        finishing = Path(tmp) / "finishing"  # the same class, but every submission finishes
        finishing.mkdir()
        expected = {}
        waits = []
        for index in range(args.count):
            target = folder / f"s{index:03}.py"
            if index % 25 == 24:  # a few hostile ones: they pass, and must change nothing
                target.write_text(HOSTILE.format(outside=outside))
                expected[str(target)] = "pass"
                shutil.copy(target, finishing / target.name)
                continue
            sample = samples[rng.randrange(len(samples))]
            shutil.copy(sample, target)
            expectation = read_expectation(sample)
            expected[str(target)] = "pass" if expectation and expectation.passes else "fail"
            if expectation is not None and expectation.timeout is not None:  # it waits for the timeout
                waits.append(sample)
                shutil.copy(SOLUTION, finishing / target.name)
            else:
                shutil.copy(sample, finishing / target.name)
        declared = [found.timeout for found in map(read_expectation, waits) if found and found.timeout]
        args.timeout = args.timeout or max(declared, default=TIMEOUT)
        before = _fingerprint(Path(tmp))
        load_before = os.getloadavg()[0]
        floor, one = cold_grade()
        elapsed, results = batch(folder, args.timeout)
        right = sum(expected.get(r["file"]) == r["status"] for r in results)
        print(f"floor (import fastapi, uvicorn): {floor * 1000:.0f} ms")
        print(f"one cold grade:            {one * 1000:.0f} ms = {one / floor:.2f}x floor")
        print(
            f"{args.count} submissions, batch: {elapsed:.2f} s = {elapsed / one:.1f}x one cold grade "
            f"= {elapsed / floor:.1f}x floor (target <= 8x one cold grade)"
        )
        names = ", ".join(sorted({sample.name for sample in waits})) or "none"
        print(f"  no batch ends before its slowest submission: {len(waits)} wait for the --timeout, {args.timeout:g} s: {names}")
        if waits:
            alone = statistics.median(
                timed([str(GRADE), str(waits[0]), "--lesson", "cors-headers", "--json", "--timeout", str(args.timeout)])
                for _ in range(3)
            )
            print(f"  {waits[0].name} graded alone, cold: {alone:.2f} s; the batch ends {elapsed - alone:.2f} s after it")
        quick, quick_results = batch(finishing, args.timeout)
        print(
            f"the same {args.count}, those replaced by the solution: {quick:.2f} s = {quick / one:.1f}x one cold grade "
            f"= {quick / floor:.1f}x floor ({len(quick_results)} verdicts; target <= 8x one cold grade)"
        )
        print(f"verdicts right: {right} of {len(results)} ({sum(r['status'] == 'pass' for r in results)} pass)")
        print(f"files changed outside the copies: {'none' if _fingerprint(Path(tmp)) == before else 'SOME'}")
        print(f"processes left running: {len(processes_mentioning(tmp)) + len(processes_mentioning('hostile-child'))}")
        print(f"load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
        if args.fuzz:
            fuzz = Path(tmp) / "fuzz"
            fuzz.mkdir()
            text = SOLUTION.read_text()
            for index in range(args.fuzz):
                (fuzz / f"m{index:04}.py").write_bytes(_mutate(text, rng))
            elapsed, results = batch(fuzz)
            ok = sum(r["status"] in {"pass", "fail"} and len(r["steps"]) == 3 for r in results)
            print(f"fuzz: {ok} of {args.fuzz} mutations got a verdict in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
