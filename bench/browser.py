"""Speed of the browser check, as ratios against a floor measured in the same run.

    .venv/bin/python bench/browser.py [--runs 7]

Floor: a fresh `python -c "import fastapi, uvicorn"`, the least any grade pays.
Browser check, cold: launch a new headless Chromium (fresh profile), run the cors-headers
lesson's browser check (two fetches from a page on another origin) against the reference
solution already serving, and close Chromium: what `grade --browser` adds to a grade when
nothing overlaps. Target: at most 1.5 s.
Reused browser: the same check in a Chromium already open (what a watch mode would pay).
End to end: `grade --browser` and `grade` on the reference solution, each a fresh process.
Runs are interleaved so that the machine's load touches every series alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.live.browser import Browser, BrowserApp
from grader.course.course import load_course
from grader.engine import lesson_checks
from grader.run.server import AppProcess
from grader.static.source import Source

GRADE = Path(sys.executable).with_name("grade")
LESSON = "cors-headers"
TARGET = 1.5


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    lesson = next(l for l in load_course(ROOT).lessons if l.slug == LESSON)
    spec = next(s for s in lesson_checks(lesson) if s.browser)
    source = Source(lesson.solution, lesson.solution.read_text(encoding="utf-8"))
    app = AppProcess.start(lesson.solution.resolve(), lesson.app_module, lesson.app_attr)
    try:
        if app.wait_ready(10.0) is not None:
            sys.exit("the reference solution did not start")

        def check_in(browser: Browser) -> None:
            spec.func(BrowserApp(source, app.port, browser))

        def cold_check() -> float:
            start = time.perf_counter()
            with Browser.start() as browser:
                check_in(browser)
            return time.perf_counter() - start

        floor = [sys.executable, "-c", "import fastapi, uvicorn"]
        with_browser = [str(GRADE), str(lesson.solution), "--lesson", LESSON, "--json", "--browser"]
        without = with_browser[:-1]
        series: dict[str, Callable[[], float]] = {
            "floor": lambda: timed(floor),
            "cold": cold_check,
            "grade --browser": lambda: timed(with_browser),
            "grade": lambda: timed(without),
        }
        for measure in series.values():  # warm the disk cache for each
            measure()
        times: dict[str, list[float]] = {name: [] for name in series}
        for _ in range(runs):
            for name, measure in series.items():
                times[name].append(measure())
        with Browser.start() as browser:
            check_in(browser)  # the launch, not measured
            reused = []
            for _ in range(runs):
                start = time.perf_counter()
                check_in(browser)
                reused.append(time.perf_counter() - start)
        times["reused"] = reused
    finally:
        app.stop()

    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["floor"]

    def line(label: str, name: str) -> str:
        values = times[name]
        return (
            f"{label:<44} median {median[name]:6.3f} s  (min {min(values):.3f}, max {max(values):.3f})"
            f"  = {median[name] / base:4.2f} x floor"
        )

    print(f"{runs} runs each, interleaved; floor = python -c 'import fastapi, uvicorn'")
    print(line("floor", "floor"))
    print(line("browser check, cold (launch, 2 fetches, close)", "cold"))
    print(line("browser check, Chromium already open", "reused"))
    print(line("grade --browser, end to end", "grade --browser"))
    print(line("grade, end to end", "grade"))
    extra = median["grade --browser"] - median["grade"]
    print(f"{'--browser adds to a grade':<44} median {extra:6.3f} s  = {extra / base:4.2f} x floor")
    verdict = "within" if median["cold"] <= TARGET else "OVER"
    print(f"cold browser check: {median['cold']:.3f} s, {verdict} the {TARGET:g} s target")


if __name__ == "__main__":
    main()
