"""`grade --open`: the live lesson page, driven in headless Chromium through the real command."""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from grader.live.browser import Browser, Page
from tests.conftest import GRADE, ROOT
from tests.test_browser import assert_nothing_left, needs_chromium

STARTER = ROOT / "exercise/cors-headers/main.py"
SOLUTION = ROOT / "solution/cors-headers/main.py"
ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/")


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A short temporary folder: the learner's file lives here, and it is the grade's TMPDIR."""
    folder = Path(tempfile.mkdtemp(prefix="gp-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class OpenGrade:
    """The real `grade FILE --open --no-open` process, and the page address it printed."""

    def __init__(self, scratch: Path, file: Path, *extra: str, course: Path = ROOT, lesson: str = "cors-headers") -> None:
        self.process = subprocess.Popen(
            [str(GRADE), str(file), "--lesson", lesson, "--no-open", "--timeout", "5", *extra],
            cwd=course,
            env={**os.environ, "TMPDIR": str(scratch)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.url = self._address()

    def _address(self, timeout: float = 60) -> str:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while selector.select(timeout):
                line = self.process.stdout.readline().decode()
                if not line:
                    break
                self.lines.append(line)
                found = ADDRESS.search(line)
                if found:
                    return found.group(0)
        self.stop()
        raise AssertionError("grade --open printed no address:\n" + "".join(self.lines))

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C, as a learner stops it: the exit status and what it said on stderr."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        assert self.process.stderr is not None
        return code, self.process.stderr.read().decode()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def wait_for(page: Page, condition: str, timeout: float = 60) -> Any:
    """Poll a JavaScript expression in the page until it is truthy; its value, or a failure
    that shows what the page said instead."""
    script = f"""async (ms) => {{
      const end = Date.now() + ms;
      while (Date.now() < end) {{
        try {{ const value = ({condition}); if (value) return {{value}}; }} catch (error) {{}}
        await new Promise((done) => setTimeout(done, 25));
      }}
      return {{missed: document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText}};
    }}"""
    result = page.run(script, int(timeout * 1000), timeout=timeout + 10).result
    assert "value" in result, f"the page never showed {condition}; it shows:\n{result['missed']}"
    return result["value"]


def statuses(page: Page) -> dict[str, str]:
    found = page.run("() => [...document.querySelectorAll('.step')].map((s) => [s.dataset.step, s.dataset.status])")
    return dict(found.result)


def step_text(page: Page, step: str) -> str:
    return str(page.run(f"() => document.querySelector('.step[data-step=\"{step}\"]').innerText").result)


ALL_PASS = "document.querySelectorAll('.step').length === 3 && [...document.querySelectorAll('.step')].every((s) => s.dataset.status === 'pass')"
FIRST_FAILS = "document.querySelector('.step[data-step=\"import\"]')?.dataset.status === 'fail'"


@needs_chromium
def test_page_shows_the_lesson_and_flips_steps_on_save_without_a_reload(scratch: Path, course_copy: Path) -> None:
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner, course=course_copy)  # revealed hints are saved in the course
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            wait_for(page, FIRST_FAILS)
            assert statuses(page) == {"import": "fail", "add-middleware": "fail", "live-headers": "fail"}
            # The lesson text, rendered from lesson.md, beside the steps.
            assert wait_for(page, "document.querySelector('.lesson h2')?.textContent") == "Origins and the same-origin policy"
            assert page.run("() => document.querySelectorAll('.lesson table td').length").result > 0
            # Code blocks, even those inside the numbered list, start flush-left and have a Copy button.
            blocks = page.run("() => [...document.querySelectorAll('.lesson pre')].map((pre) => [pre.textContent, !!pre.parentNode.querySelector('button.copy')])").result
            assert any(text.startswith("from fastapi.middleware.cors import CORSMiddleware") for text, _ in blocks)
            assert all(not text[0].isspace() and copy for text, copy in blocks)
            assert "from fastapi.middleware.cors import CORSMiddleware" in step_text(page, "import")
            assert f"at {learner}:" in step_text(page, "add-middleware")
            # The first hint is there; the next comes on request, and is remembered.
            assert "Hint: Add this line" in step_text(page, "import")
            page.run("() => { window.sameDocument = true; document.querySelector('.step[data-step=\"import\"] .more-hint').click(); }")
            assert "Hint 2: The class name" in wait_for(page, "document.querySelector('.step[data-step=\"import\"]').innerText.includes('Hint 2') && document.querySelector('.step[data-step=\"import\"]').innerText")

            learner.write_text(SOLUTION.read_text())
            wait_for(page, ALL_PASS)
            assert page.run("() => window.sameDocument === true").result, "the page reloaded"
            assert "Every step passes." in page.run("() => document.getElementById('success').innerText").result

            learner.write_text(SOLUTION.read_text() + "\nbroken(\n")
            wait_for(page, "document.querySelector('.step[data-step=\"add-middleware\"]')?.dataset.status === 'skip'")
            assert statuses(page) == {"import": "fail", "add-middleware": "skip", "live-headers": "skip"}
            assert "syntax error" in step_text(page, "import")
            assert page.run("() => window.sameDocument === true").result
    finally:
        grade.stop()


def call_outcome(site: int, call: int) -> str:
    return f"document.querySelector('.call[data-site=\"{site}\"][data-call=\"{call}\"]')?.dataset.outcome"


def call_generation(page: Page, site: int, call: int) -> str:
    """Which start of the learner's app the call's last verdict came from."""
    return str(page.run(f"() => document.querySelector('.call[data-site=\"{site}\"][data-call=\"{call}\"]').dataset.generation").result)


def call_text(page: Page, site: int, call: int) -> str:
    return str(page.run(f"() => document.querySelector('.call[data-site=\"{site}\"][data-call=\"{call}\"]').innerText").result)


# Click a site's "Send every call again" and wait for every call's verdict: the console
# messages Chromium logs meanwhile come back with the run.
RESEND = """async (site) => {
  const box = document.querySelector(`.site[data-site="${site}"]`);
  box.querySelector("button").click();
  const end = Date.now() + 20000;
  await new Promise((done) => setTimeout(done, 50));
  while (Date.now() < end && [...box.querySelectorAll(".call")].some((c) => ["sending", "pending"].includes(c.dataset.outcome))) {
    await new Promise((done) => setTimeout(done, 25));
  }
  return [...box.querySelectorAll(".call")].map((c) => c.dataset.outcome);
}"""


@needs_chromium
def test_call_panel_is_blocked_then_allowed_after_the_fix(scratch: Path) -> None:
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner)
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            wait_for(page, f"{call_outcome(0, 1)} === 'blocked' && {call_outcome(0, 0)} === 'blocked'")
            assert "DELETE /notes/1" in call_text(page, 0, 1)
            assert "preflight (OPTIONS)" in call_text(page, 0, 1)
            assert "F12" in call_text(page, 0, 1)
            assert 'ends with the reason after "has been blocked by CORS policy:"' in call_text(page, 0, 1)  # the lesson's words
            app_url = wait_for(page, "document.getElementById('app-status').textContent.match(/http:\\/\\/127\\.0\\.0\\.1:\\d+/)?.[0]")
            assert app_url != grade.url.rstrip("/")  # the learner's app, on another origin than the page
            # What the learner reads in DevTools is Chromium's own verdict on these calls.
            again = page.run(RESEND, 0, timeout=30)
            assert again.result == ["blocked", "blocked"]
            assert any("has been blocked by CORS policy" in m.text and "/notes/1" in m.text for m in again.console)
            page.run("() => { window.sameDocument = true; }")
            before = call_generation(page, 0, 1)

            learner.write_text(SOLUTION.read_text())
            wait_for(page, f"{call_outcome(0, 1)} === 'allowed' && {call_outcome(0, 0)} === 'allowed'")
            assert "allowed: 204 No Content" in call_text(page, 0, 1)
            assert "allowed: 200 OK" in call_text(page, 0, 0)
            assert page.run("() => window.sameDocument === true").result, "the page reloaded"
            after = call_generation(page, 0, 1)
            assert int(after) > int(before)  # the calls went to the app restarted from the saved file

            learner.write_text(SOLUTION.read_text() + "\nbroken(\n")
            wait_for(page, "document.getElementById('app-status').textContent.includes('Python cannot read your file')")
    finally:
        grade.stop()


@needs_chromium
def test_lesson_pages_stand_in_for_the_frontend_and_a_stranger(scratch: Path) -> None:
    """cors-production declares two sites: its frontend's origin (through the grader's
    origin proxy, with cookies) and a stranger's. Its starter allows "*" without credentials."""
    learner = scratch / "main.py"
    shutil.copy(ROOT / "exercise/cors-production/main.py", learner)
    grade = OpenGrade(scratch, learner, lesson="cors-production")
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            settled = " && ".join(f"['allowed', 'blocked'].includes({call_outcome(s, c)})" for s in (0, 1) for c in (0, 1))
            wait_for(page, settled)
            labels = page.run("() => [...document.querySelectorAll('.site h3')].map((h) => h.textContent)").result
            assert labels == ["Your frontend", "A stranger's site"]
            assert "stands in for https://notes.example.com" in page.run("() => document.querySelector('.site').innerText").result
            outcomes = page.run(f"() => [{call_outcome(0, 1)}, {call_outcome(0, 0)}, {call_outcome(1, 1)}, {call_outcome(1, 0)}]").result
            assert outcomes == ["blocked", "blocked", "allowed", "allowed"]

            learner.write_text((ROOT / "solution/cors-production/main.py").read_text())
            wait_for(page, f"{call_outcome(0, 0)} === 'allowed' && {call_outcome(1, 0)} === 'blocked' && {call_outcome(0, 1)} === 'allowed' && {call_outcome(1, 1)} === 'blocked'")
            assert '"title": "Welcome"' in call_text(page, 0, 0)  # the page read the JSON
    finally:
        grade.stop()


@needs_chromium
def test_two_browsers_at_once_both_update(scratch: Path) -> None:
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner)
    try:
        with ExitStack() as stack:
            pages = []
            for _ in range(2):
                chromium = stack.enter_context(Browser.start())
                pages.append(stack.enter_context(chromium.page(url=grade.url)))
            for page in pages:
                wait_for(page, FIRST_FAILS)
            learner.write_text(SOLUTION.read_text())
            for page in pages:
                wait_for(page, ALL_PASS)
    finally:
        grade.stop()


@needs_chromium
def test_ctrl_c_stops_the_page_and_leaves_nothing_running(scratch: Path) -> None:
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner)
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            wait_for(page, FIRST_FAILS)  # a page is connected: its stream must not hold the server up
            wait_for(page, f"{call_outcome(0, 0)} === 'blocked'")  # and the learner's app runs for it
            app_pids = [pid for pid in _ours(scratch) if "serve_child" in _command(pid) or "warm_worker" in _command(pid)]
            assert app_pids
            code, said = grade.interrupt()
            assert code == 0, said
            assert "Stopped watching." in said
            assert "Traceback" not in said
            wait_for(page, "document.getElementById('live').textContent.includes('not connected')")
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", grade.port), timeout=2):
            pass
        assert_nothing_left(scratch, cleaned_up=False)
    finally:
        grade.stop()


def test_page_only_answers_to_its_own_address(scratch: Path) -> None:
    """A site that points its own name at 127.0.0.1 (DNS rebinding) gets nothing."""
    import httpx

    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner)
    try:
        assert httpx.get(grade.url, timeout=10).status_code == 200
        for host in ("attacker.example", f"attacker.example:{grade.port}", f"127.0.0.1:{grade.port + 1}"):
            assert httpx.get(grade.url, headers={"Host": host}, timeout=10).status_code == 400, host
        assert httpx.get(grade.url, headers={"Host": f"localhost:{grade.port}"}, timeout=10).status_code == 200
        refused = httpx.post(grade.url + "api/hint", data={"step": "import"}, timeout=10)
        assert refused.status_code == 415
        listening = _listening_ports(grade.process.pid)
        assert listening and all(host == "127.0.0.1" for host, _ in listening)
    finally:
        grade.stop()


def _listening_ports(pid: int) -> list[tuple[str, int]]:
    """The TCP sockets `pid` listens on, from /proc (address, port)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            address, port = fields[1].split(":")
            host = socket.inet_ntoa(bytes.fromhex(address)[::-1])
            found.append((host, int(port, 16)))
    return found


def test_json_stays_json_with_the_page(scratch: Path) -> None:
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    process = subprocess.Popen(
        [str(GRADE), str(learner), "--lesson", "cors-headers", "--no-open", "--json", "--timeout", "5"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        assert first["status"] == "fail"
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    assert ADDRESS.search(stderr.decode())


def _ours(scratch: Path) -> list[int]:
    """Processes started with TMPDIR=scratch: everything the grade under test started."""
    marker = f"TMPDIR={scratch}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_page_files_are_self_contained() -> None:
    """No CDN, no web font, no address elsewhere: the page works offline."""
    static = ROOT / "grader/views/page/static"
    for file in static.iterdir():
        text = file.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|@font-face", text), file.name
    from grader.views.page.content import highlight_css

    assert "url(" not in highlight_css() and "http" not in highlight_css()


BOTH_ALLOWED = f"{call_outcome(0, 0)} === 'allowed' && {call_outcome(0, 1)} === 'allowed'"


@needs_chromium
def test_demo_calls_leave_the_app_as_they_found_it(scratch: Path) -> None:
    """The DELETE really runs in the learner's app (CORS does not stop a call the app allows),
    and the app then starts afresh: a reload, or sending again, finds note 1 again."""
    learner = scratch / "main.py"
    shutil.copy(SOLUTION, learner)
    grade = OpenGrade(scratch, learner)
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            wait_for(page, BOTH_ALLOWED)
            assert '"title": "Welcome"' in call_text(page, 0, 0)
            assert "allowed: 204 No Content" in call_text(page, 0, 1)
            for _ in range(2):
                assert page.run(RESEND, 0, timeout=40).result == ["allowed", "allowed"]
                assert '"title": "Welcome"' in call_text(page, 0, 0)
                assert "allowed: 204 No Content" in call_text(page, 0, 1)
            page.run("() => { window.before = true; location.reload(); }")
            wait_for(page, f"!window.before && {BOTH_ALLOWED}")
            assert '"title": "Welcome"' in call_text(page, 0, 0), "after a reload, note 1 is gone"
            assert "allowed: 204 No Content" in call_text(page, 0, 1)
            assert "really ran this DELETE" in call_text(page, 0, 1)  # and the page says what happened
    finally:
        grade.stop()


# Boxes that scroll sideways, and the page's own width, on a phone.
SIDEWAYS = """() => [...document.querySelectorAll("pre, .details, .detail-line, .step, .hint, .call, .site, .message, .success")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.className || box.tagName}: ${box.textContent.slice(0, 60)}`)"""


@needs_chromium
def test_explanations_and_curl_lines_wrap_on_a_phone(scratch: Path) -> None:
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner)
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            page.call("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
            wait_for(page, f"document.querySelector('.step[data-step=\"live-headers\"] .details') && {call_outcome(0, 1)} === 'blocked'")
            assert page.run("() => innerWidth").result == 390
            assert "curl -i -X OPTIONS" in step_text(page, "live-headers")
            assert page.run(SIDEWAYS).result == []
            assert page.run("() => document.documentElement.scrollWidth").result <= 390
            # The curl line is longer than a phone's line: it takes several, inside its box.
            lines = page.run("""() => { const line = [...document.querySelectorAll('.detail-line')].find((l) => l.textContent.startsWith('curl '));
              return line.getBoundingClientRect().height / parseFloat(getComputedStyle(line).lineHeight); }""").result
            assert lines >= 2
    finally:
        grade.stop()


MULTI_LINE_HINT = '''"""Add this line next to the other imports at the top of main.py:
    from fastapi.middleware.cors import CORSMiddleware
"""'''


@needs_chromium
def test_a_multi_line_hint_shows_as_code(scratch: Path, course_copy: Path) -> None:
    toml = course_copy / "lessons/cors-headers/lesson.toml"
    one_line_hint = '"Add this line next to the other imports at the top of main.py: from fastapi.middleware.cors import CORSMiddleware"'
    assert one_line_hint in toml.read_text()
    toml.write_text(toml.read_text().replace(one_line_hint, MULTI_LINE_HINT))
    learner = scratch / "main.py"
    shutil.copy(STARTER, learner)
    grade = OpenGrade(scratch, learner, course=course_copy)
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            wait_for(page, FIRST_FAILS)
            hint = page.run("() => { const hint = document.querySelector('.step[data-step=\"import\"] .hint');"
                            " return [hint.innerText.split('\\n')[0], hint.querySelector('pre code')?.textContent ?? null]; }").result
            assert hint == [
                "Hint: Add this line next to the other imports at the top of main.py:",
                "from fastapi.middleware.cors import CORSMiddleware",
            ]
    finally:
        grade.stop()


def _two_lesson_course(course_copy: Path) -> Path:
    """The course copy cut to cors-headers and one lesson after it, "After the headers":
    a known shape, whatever the shipped course holds."""
    for folder in (course_copy / "lessons").iterdir():
        if (folder / "lesson.toml").is_file() and folder.name != "cors-headers":
            shutil.rmtree(folder)
    shutil.copytree(course_copy / "lessons/cors-headers", course_copy / "lessons/after-headers")
    toml = course_copy / "lessons/after-headers/lesson.toml"
    text = re.sub(r'(?m)^title = ".*"$', 'title = "After the headers"', toml.read_text(), count=1)
    toml.write_text(re.sub(r"(?m)^order = \d+$", "order = 99", text, count=1))
    for kind in ("exercise", "solution"):
        shutil.copytree(course_copy / kind / "cors-headers", course_copy / kind / "after-headers")
    return course_copy


@needs_chromium
def test_a_pass_links_on_to_the_next_lesson(scratch: Path, course_copy: Path) -> None:
    course = _two_lesson_course(course_copy)
    learner = scratch / "main.py"
    shutil.copy(SOLUTION, learner)
    grade = OpenGrade(scratch, learner, course=course)
    try:
        with Browser.start() as chromium, chromium.page(url=grade.url) as page:
            wait_for(page, ALL_PASS)
            link = page.run("() => { const a = document.querySelector('#success a'); return a && [a.textContent, a.getAttribute('href')]; }").result
            assert link == ["On to lesson 2 of 2: After the headers \u2192", "/next"]
            page.run("() => document.querySelector('#success a').click()")
            start = wait_for(page, "document.querySelector('.start')?.innerText")
            assert "Start lesson 2 of 2: After the headers" in start
            assert "exercise/after-headers/main.py" in start
            assert "grade --open exercise/after-headers/main.py" in start
            assert wait_for(page, "document.querySelector('.lesson h2')?.textContent")  # its text, to read on
    finally:
        grade.stop()
    # The last lesson has no link on, and says so.
    last = OpenGrade(scratch, learner, course=course, lesson="after-headers")
    try:
        with Browser.start() as chromium, chromium.page(url=last.url) as page:
            wait_for(page, ALL_PASS)
            assert page.run("() => document.querySelector('#success a')").result is None
            assert "That was the last lesson" in page.run("() => document.getElementById('success').innerText").result
    finally:
        last.stop()
