"""Speed of the lesson page (`grade --open`), as a ratio to the terminal's watch mode.

    .venv/bin/python bench/page.py [--saves 20]

Terminal: `grade --watch --json` on a scratch copy; the time from writing the file to the
next JSON line. Page: `grade --open --no-open` on another scratch copy, with the page open in
headless Chromium; the time from writing the file to the page showing the new verdict (the
event stream delivered it and the page redrew the steps, without a reload). Both run at
once and saves alternate between them, so the machine's load touches both alike; saves
alternate between the solution and the starter. Then each alone: the terminal's watch with
no page running, and the page with no terminal watch. Target: page <= 1.5 x terminal, both ways.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.live.browser import Browser, Page

GRADE = Path(sys.executable).with_name("grade")
SOLUTION = ROOT / "solution/cors-headers/main.py"
STARTER = ROOT / "exercise/cors-headers/main.py"
TARGET = 1.5
SETTLE = 1.0  # between saves: the page restarts the learner's app after each grade
# Resolves with the wall-clock time (ms) at which the page shows a new grade with `outcome`.
NEXT_VERDICT = """async ([outcome, seen]) => new Promise((resolve) => {
  const done = () => {
    if (Number(document.body.dataset.grades || 0) > seen && document.body.dataset.outcome === outcome) {
      resolve(performance.timeOrigin + performance.now());
      return true;
    }
    return false;
  };
  if (!done()) new MutationObserver(() => done()).observe(document.body, {attributes: true});
})"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    saves = parser.parse_args().saves
    _report("both running at once", *_session(saves, terminal=True, page=True))
    alone_terminal, _ = _session(saves, terminal=True, page=False)
    _, alone_page = _session(saves, terminal=False, page=True)
    _report("each running alone", alone_terminal, alone_page)


def _session(saves: int, *, terminal: bool, page: bool) -> tuple[list[float], list[float]]:
    """Save-to-verdict times of `grade --watch` and of the page (`grade --open`), each over
    `saves` saves, for those of the two that run."""
    folder = Path(tempfile.mkdtemp(prefix="grader-bench-page-"))
    terminal_file, page_file = folder / "terminal" / "main.py", folder / "page" / "main.py"
    for file in (terminal_file, page_file):
        file.parent.mkdir()
        shutil.copy(STARTER, file)
    common = ["--lesson", "cors-headers", "--timeout", "5"]
    watching = _start([str(GRADE), str(terminal_file), *common, "--watch", "--json"]) if terminal else None
    page_grade = _start([str(GRADE), str(page_file), *common, "--no-open"]) if page else None
    terminal_times: list[float] = []
    page_times: list[float] = []
    try:
        with selectors.DefaultSelector() as selector, contextlib.ExitStack() as stack:
            if watching is not None:
                assert watching.stdout is not None
                selector.register(watching.stdout, selectors.EVENT_READ)
                _readline(watching, selector, 60)  # the first grade
            shown = None
            if page_grade is not None:
                chromium = stack.enter_context(Browser.start())
                shown = stack.enter_context(chromium.page(url=_address(page_grade), timeout=60))
                shown.run(NEXT_VERDICT, ["fail", 0], timeout=60)  # the first grade is on the page
            for index in range(saves):
                source = SOLUTION if index % 2 == 0 else STARTER
                outcome = "pass" if source is SOLUTION else "fail"
                if watching is not None:
                    time.sleep(SETTLE)
                    start = time.perf_counter()
                    terminal_file.write_bytes(source.read_bytes())
                    _readline(watching, selector, 30)
                    terminal_times.append(time.perf_counter() - start)
                if shown is not None:
                    time.sleep(SETTLE)
                    page_times.append(_page_latency(shown, page_file, source, outcome))
    finally:
        for process in (watching, page_grade):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
    return terminal_times, page_times


def _page_latency(page: Page, file: Path, source: Path, outcome: str) -> float:
    """Seconds from writing `file` to the page's redraw; the write happens while the page waits."""
    seen = int(page.run("() => Number(document.body.dataset.grades || 0)").result)
    written: list[float] = []

    def save() -> None:
        time.sleep(0.1)  # the page's script is waiting by now
        written.append(time.time() * 1000)
        file.write_bytes(source.read_bytes())

    saver = threading.Thread(target=save)
    saver.start()
    shown = page.run(NEXT_VERDICT, [outcome, seen], timeout=30).result
    saver.join()
    return (float(shown) - written[0]) / 1000


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _readline(process: subprocess.Popen[bytes], selector: selectors.BaseSelector, timeout: float) -> bytes:
    if not selector.select(timeout):
        raise SystemExit("grade --watch printed nothing in time")
    assert process.stdout is not None
    return process.stdout.readline()


def _address(process: subprocess.Popen[bytes]) -> str:
    assert process.stdout is not None
    for raw in iter(process.stdout.readline, b""):
        found = re.search(r"http://127\.0\.0\.1:\d+/", raw.decode())
        if found:
            return found.group(0)
    raise SystemExit("grade --open printed no address")


def _report(how: str, terminal: list[float], page: list[float]) -> None:
    ms = lambda values: f"{statistics.median(values) * 1000:.0f} ms (max {max(values) * 1000:.0f} ms)"  # noqa: E731
    ratio = statistics.median(page) / statistics.median(terminal)
    print(f"{how}:")
    print(f"  terminal, grade --watch: save to verdict, median over {len(terminal)} saves: {ms(terminal)}")
    print(f"  page, grade --open:      save to the page's redraw, median:       {ms(page)}")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"  page / terminal: {ratio:.2f} x ({verdict} the target of <= {TARGET} x)")


if __name__ == "__main__":
    main()
