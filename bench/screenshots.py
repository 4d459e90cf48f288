"""Screenshots of the lesson page (`grade --open`), before and after the fix, light and dark.

    .venv/bin/python bench/screenshots.py [--out bench/results/screenshots] [--lesson cors-headers]

Runs the real `grade --open --no-open` in a scratch copy of the course (so the page names the
file as a learner sees it, exercise/<lesson>/main.py), opens the page in headless Chromium,
waits until the steps and the calls have settled, and saves page-before-{light,dark}.png (a
laptop's screen) and phone-before-{light,dark}.png (a phone's, down to the calls); then saves
the solution over the starter and takes the same after the fix. The README shows two of the
phone shots, copied to docs/screenshots/.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.live.browser import Browser, Page

GRADE = Path(sys.executable).with_name("grade")
WIDTH, HEIGHT = 1200, 860
PHONE_WIDTH = 390
COURSE_PARTS = ("lessons", "exercise", "solution")  # the course as a learner's checkout holds it
# True once the grade with `outcome` is drawn and every call has its verdict.
SETTLED = """async ([outcome]) => {
  const end = Date.now() + 30000;
  const calls = () => [...document.querySelectorAll(".call")];
  while (Date.now() < end) {
    if (document.body.dataset.outcome === outcome && calls().length &&
        calls().every((call) => ["allowed", "blocked"].includes(call.dataset.outcome))) return true;
    await new Promise((done) => setTimeout(done, 50));
  }
  return false;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "screenshots")
    parser.add_argument("--lesson", default="cors-headers")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="grader-shots-"))
    for part in COURSE_PARTS:
        shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
    shown = Path("exercise") / args.lesson / "main.py"
    learner = folder / shown
    env = {name: value for name, value in os.environ.items() if name != "GRADER_COURSE"}
    # As in a learner's activated virtualenv: the page's commands read `uvicorn main:app ...`,
    # not this machine's path to it.
    env["PATH"] = os.pathsep.join([str(GRADE.parent), env.get("PATH", "")])
    grade = subprocess.Popen(
        [str(GRADE), str(shown), "--lesson", args.lesson, "--no-open"],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = _address(grade)
        with Browser.start() as chromium, chromium.page(url=url, timeout=60) as page:
            _shoot(page, "fail", args.out, "before")
            learner.write_bytes((ROOT / "solution" / args.lesson / "main.py").read_bytes())
            _shoot(page, "pass", args.out, "after")
    finally:
        grade.terminate()
        grade.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def _shoot(page: Page, outcome: str, out: Path, when: str) -> None:
    if not page.run(SETTLED, [outcome], timeout=40).result:
        raise SystemExit(f"the page never settled on {outcome}")
    for scheme in ("light", "dark"):
        page.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        # A laptop: the lesson beside the panel of steps and calls.
        _metrics(page, WIDTH, HEIGHT, mobile=False)
        _save(page.call("Page.captureScreenshot", {"format": "png"}, timeout=30), out / f"page-{when}-{scheme}.png")
        # A phone: one column, the steps and the calls first, down to the end of the calls.
        _metrics(page, PHONE_WIDTH, HEIGHT, mobile=True)
        bottom = page.run("() => document.getElementById('calls').getBoundingClientRect().bottom + scrollY + 8").result
        clip = {"x": 0, "y": 0, "width": PHONE_WIDTH, "height": bottom, "scale": 1}
        shot = page.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, timeout=30)
        _save(shot, out / f"phone-{when}-{scheme}.png")


def _metrics(page: Page, width: int, height: int, *, mobile: bool) -> None:
    page.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def _save(shot: dict[str, str], path: Path) -> None:
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _address(process: subprocess.Popen[bytes]) -> str:
    assert process.stdout is not None
    for raw in iter(process.stdout.readline, b""):
        found = re.search(r"http://127\.0\.0\.1:\d+/", raw.decode())
        if found:
            return found.group(0)
    raise SystemExit("grade --open printed no address")


if __name__ == "__main__":
    main()
