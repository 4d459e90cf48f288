"""A real browser for browser checks: headless Chromium opens a page on its own origin and
runs a lesson's script there, and the grader records what the browser did on the wire.

Chromium is driven over the DevTools protocol on a pipe (grader/live/devtools.py; the transport
Playwright and Puppeteer use): no debugging port to race for or leave open, and Chromium
exits by itself when the pipe closes, even if the grader is killed outright.
"""

from __future__ import annotations

import fcntl
import http.server
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from grader.live.devtools import BrowserRequest, ConsoleMessage, DevToolsPipe, Recorder
from grader.live.traffic import ACCEPT_LANGUAGES, new_rng
from grader.static.origins import random_host
from grader.verdict.checks import Skip

if TYPE_CHECKING:
    from grader.static.source import Source

CHROMIUM_ENV = "GRADER_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
APT_INSTALL = "`sudo apt-get install chromium` (Debian, Ubuntu)"
FLAGS = (
    # What a closed network needs: nothing phones home, nothing waits for a GPU or a sandbox.
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-default-browser-check",
    "--mute-audio",
    "--remote-debugging-pipe",
)
# Only the loopback addresses and the page's made-up host (which is 127.0.0.1 too) resolve,
# so no page can reach past this machine.
HOST_RULES = "--host-resolver-rules=MAP {host}:80 127.0.0.1:{port}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
LAUNCH_TIMEOUT = 30.0  # a cold disk can take a while to load Chromium the first time
RUN_TIMEOUT = 15.0
# Chromium's socket, ROOT/grader-chromium-XXXXXXXX/org.chromium.Chromium.XXXXXX/SingletonSocket,
# must fit the 107 bytes a Unix socket path may have.
MAX_PROFILE_ROOT = 36
SETTLE = 0.5  # how long the network may take to report requests the script already saw end
PAGE = (
    b"<!doctype html><meta charset=utf-8><title>A frontend on another origin</title>"
    b"<link rel=icon href='data:,'><p>This page calls your API from its own origin."
)
FETCH_SCRIPT = """async ([url, init, ms]) => {
  try {
    const response = await fetch(url, {...init, signal: AbortSignal.timeout(ms)});
    let body = "";
    try { body = (await response.text()).slice(0, 4096); } catch (error) {}
    return {status: response.status, body};
  } catch (error) {
    return {error: String(error)};
  }
}"""


class BrowserUnavailable(Skip):
    """Chromium cannot be used here: not installed, or it did not start or stopped."""


class ScriptError(Exception):
    """The lesson's script threw or never finished: a problem in the lesson, not the learner's."""


def find_chromium(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The Chromium to run: `explicit`, else $GRADER_CHROMIUM, else /usr/bin/chromium."""
    chosen = os.fspath(explicit) if explicit is not None else os.environ.get(CHROMIUM_ENV)
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            named = (
                f"{CHROMIUM_ENV} is set to {chosen}"
                if explicit is None
                else f"The browser {chosen} was asked for"
            )
            raise BrowserUnavailable(
                f"{named}, but no program runs from there, so the browser check cannot run. Point "
                f"{CHROMIUM_ENV} at Chromium or Chrome, or unset it and install Chromium: {APT_INSTALL}."
            )
        return Path(found)
    if shutil.which(DEFAULT_CHROMIUM) is None:
        raise BrowserUnavailable(
            f"Chromium is not installed, so the browser check cannot run. Install it with {APT_INSTALL}, "
            f"or set {CHROMIUM_ENV} to the path of a Chromium or Chrome program."
        )
    return Path(DEFAULT_CHROMIUM)


@dataclass(frozen=True)
class PageRun:
    """What happened while a page ran one script: its result, the requests, the console."""

    page_url: str
    result: Any
    requests: tuple[BrowserRequest, ...]  # in wire order: a preflight before what it guards
    console: tuple[ConsoleMessage, ...]

    @property
    def origin(self) -> str:
        return self.page_url.rstrip("/")

    def requests_to(self, url: str) -> tuple[BrowserRequest, ...]:
        return tuple(request for request in self.requests if request.url == url)


@dataclass(frozen=True)
class Fetched:
    """One `fetch()` the page made: what the script got back, and what the browser did."""

    method: str
    url: str
    status: int | None  # what fetch() resolved with; None when it rejected
    error: str | None  # the rejection, as the page saw it: "TypeError: Failed to fetch"
    body: str
    run: PageRun

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def preflight(self) -> BrowserRequest | None:
        return next((r for r in self.run.requests_to(self.url) if r.preflight), None)

    @property
    def request(self) -> BrowserRequest | None:
        """The request itself (not its preflight), sent or not."""
        return next(
            (
                r
                for r in self.run.requests_to(self.url)
                if not r.preflight and r.method == self.method
            ),
            None,
        )

    @property
    def console(self) -> tuple[ConsoleMessage, ...]:
        return self.run.console


class Browser:
    """One headless Chromium with a page server on its own origin.

    `start` returns at once: Chromium loads while the grader does other work, and `prepare`
    opens the first page ahead of time. Each page gets a fresh browser context, so no
    preflight or HTTP cache carries over from an earlier page. Always `close`: it kills
    Chromium's whole process group.
    """

    def __init__(self, executable: Path | None, problem: BrowserUnavailable | None) -> None:
        self.executable = executable
        self._problem = problem
        self._pid: int | None = None
        self._pipe: DevToolsPipe | None = None
        self._ready = False
        self._spare: Page | None = None
        self._profile: str | None = None
        self._server: _PageServer | None = None
        rng = new_rng()
        self._page_host = random_host(rng, plain_http=True)  # the page is served over http
        self._language = rng.choice(ACCEPT_LANGUAGES)
        self._user_agent: dict[str, Any] = {}  # Emulation.setUserAgentOverride's, once Chromium says its version

    @classmethod
    def start(cls, executable: str | os.PathLike[str] | None = None) -> Browser:
        """Launch Chromium without waiting for it. A missing Chromium is reported on first use."""
        try:
            path = find_chromium(executable)
        except BrowserUnavailable as problem:
            return cls(None, problem)
        browser = cls(path, None)
        try:
            browser._launch()
        except BrowserUnavailable as problem:
            browser.close()
            browser._problem = problem
        except BaseException:
            browser.close()
            raise
        return browser

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def page_url(self) -> str:
        """The page's address: a host name drawn at random for this browser (Chromium alone
        resolves it, to the grader's page server on 127.0.0.1), so the app sees a page on a
        site like any other, not on 127.0.0.1."""
        self._check()
        return f"http://{self._page_host}/"

    def prepare(self) -> None:
        """Wait for Chromium and open a page for the next `page()`; problems wait for that call."""
        if self._spare is None and self._problem is None:
            try:
                self._spare = self._open_page()
            except BrowserUnavailable as problem:
                self._problem = problem

    @contextmanager
    def page(self, *, timeout: float = RUN_TIMEOUT, url: str | None = None) -> Iterator[Page]:
        """A fresh page on the page origin (or at `url`), closed (with its browser context) afterwards."""
        page, self._spare = (None, self._spare) if url is not None else (self._spare, None)
        if page is None:
            page = self._open_page(timeout, url)
        try:
            yield page
        finally:
            page.close()

    def run(self, script: str, arg: Any = None, *, timeout: float = RUN_TIMEOUT) -> PageRun:
        """Run `script` in a fresh page: see `Page.run`."""
        with self.page(timeout=timeout) as page:
            return page.run(script, arg, timeout=timeout)

    def close(self) -> None:
        """Kill Chromium's process group, stop the page server, delete the profile. Idempotent."""
        if self._pid is not None:
            try:
                os.killpg(self._pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            self._pid = None
            if self._profile is not None:
                _kill_stragglers(self._profile)
        if self._pipe is not None:
            self._pipe.close()
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    # -- internals ----------------------------------------------------------------------

    def _check(self) -> DevToolsPipe:
        if self._problem is not None:
            raise self._problem
        if self._pipe is None:
            raise BrowserUnavailable("Chromium is not running (the browser was already closed).")
        if self._pipe.closed:
            self._problem = self._stopped()
            raise self._problem
        return self._pipe

    def _launch(self) -> None:
        assert self.executable is not None
        self._profile = tempfile.mkdtemp(prefix="grader-chromium-", dir=_profile_root())
        self._server = _PageServer.start()
        to_chromium_r, to_chromium_w = os.pipe()
        from_chromium_r, from_chromium_w = os.pipe()
        log = os.open(os.path.join(self._profile, "chromium.log"), os.O_WRONLY | os.O_CREAT, 0o600)
        given = (to_chromium_r, from_chromium_w, log)
        reads, writes, log_fd = (_above(fd) for fd in given)
        # Chromium reads commands on fd 3 and writes on fd 4; posix_spawn maps them without
        # running any Python in the child (unlike preexec_fn, safe with the grader's threads).
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, log_fd, 1),
            (os.POSIX_SPAWN_DUP2, log_fd, 2),
            (os.POSIX_SPAWN_DUP2, reads, 3),
            (os.POSIX_SPAWN_DUP2, writes, 4),
        ]
        rules = HOST_RULES.format(host=self._page_host, port=self._server.port)
        argv = [str(self.executable), *FLAGS, rules, f"--user-data-dir={self._profile}", "about:blank"]
        try:
            self._pid = os.posix_spawn(
                str(self.executable), argv, self._environment(), file_actions=actions, setsid=True
            )
        except OSError as error:
            os.close(to_chromium_w)
            os.close(from_chromium_r)
            raise BrowserUnavailable(
                f"Chromium ({self.executable}) could not be started: {error}."
            ) from None
        finally:
            for fd in {*given, reads, writes, log_fd}:
                os.close(fd)
        self._pipe = DevToolsPipe(from_chromium_r, to_chromium_w, self._stopped)

    def _environment(self) -> dict[str, str]:
        # Everything Chromium writes (profile, caches, crash reports, its own temporary
        # folders) goes into the throwaway profile: never the learner's home, never /tmp.
        assert self._profile is not None
        return {
            **os.environ,
            "HOME": self._profile,
            "TMPDIR": self._profile,
            "XDG_CONFIG_HOME": os.path.join(self._profile, "config"),
            "XDG_CACHE_HOME": os.path.join(self._profile, "cache"),
        }

    def _stopped(self) -> BrowserUnavailable:
        log = ""
        if self._profile is not None:
            try:
                log = Path(self._profile, "chromium.log").read_text(
                    encoding="utf-8", errors="replace"
                )
            except OSError:
                pass
        lines = [line for line in log.splitlines() if line.strip() and "dbus" not in line][-5:]
        said = (": " + " / ".join(lines)) if lines else "."
        return BrowserUnavailable(f"Chromium ({self.executable}) stopped unexpectedly{said}")

    def _open_page(self, timeout: float = RUN_TIMEOUT, url: str | None = None) -> Page:
        pipe = self._check()
        if not self._ready:
            try:
                version = pipe.call("Browser.getVersion", deadline=time.monotonic() + LAUNCH_TIMEOUT)
                self._user_agent = _ordinary_chrome(version, self._language)
            except TimeoutError:
                raise BrowserUnavailable(
                    f"Chromium ({self.executable}) did not start within {LAUNCH_TIMEOUT:g} seconds."
                ) from None
            self._ready = True
        assert self._server is not None
        deadline = time.monotonic() + timeout
        try:
            context = pipe.call(
                "Target.createBrowserContext", {"disposeOnDetach": True}, deadline=deadline
            )["browserContextId"]
            page = Page(pipe, context, url or self.page_url, self._user_agent)
            try:
                page._open(deadline)
            except BaseException:
                page.close()
                raise
        except TimeoutError as late:
            raise BrowserUnavailable(
                f"Chromium ({self.executable}) could not open a page: {late} within {timeout:g} seconds."
            ) from None
        return page


class Page:
    """One page on the page origin, in a browser context of its own. From `Browser.page()`."""

    def __init__(self, pipe: DevToolsPipe, context: str, url: str, user_agent: Mapping[str, Any] | None = None) -> None:
        self._pipe = pipe
        self._context = context
        self._session = ""
        self._user_agent = dict(user_agent or {})
        self.url = url

    def run(self, script: str, arg: Any = None, *, timeout: float = RUN_TIMEOUT) -> PageRun:
        """Call `script` (a JavaScript function, may be async) with `arg` (JSON) in the page, and
        return its result with the requests and console messages that came while it ran."""
        pipe = self._pipe
        deadline = time.monotonic() + timeout
        pipe.events.clear()
        recorder = Recorder(self._session)
        try:
            evaluated = pipe.call(
                "Runtime.evaluate",
                {
                    "expression": f"({script})({json.dumps(arg)})",
                    "awaitPromise": True,
                    "returnByValue": True,
                },
                session=self._session,
                deadline=deadline,
                what="the page's script",
            )
        except TimeoutError as late:
            raise ScriptError(f"{late} within {timeout:g} seconds") from None
        if "exceptionDetails" in evaluated:
            details = evaluated["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            raise ScriptError(f"the page's script threw: {text}")
        recorder.feed(pipe.events)
        settle = min(deadline, time.monotonic() + SETTLE)
        while not recorder.settled() and pipe.pump(settle):
            recorder.feed(pipe.events)
        while pipe.pump(time.monotonic() + 0.02):  # what is already on its way
            pass
        recorder.feed(pipe.events)
        return PageRun(
            self.url,
            evaluated.get("result", {}).get("value"),
            recorder.requests(),
            recorder.console(),
        )

    def call(self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float = RUN_TIMEOUT) -> dict[str, Any]:
        """Send one DevTools command to this page (a screenshot, an emulated colour scheme)."""
        return self._pipe.call(method, params, session=self._session, deadline=time.monotonic() + timeout)

    def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        timeout: float = 5.0,
    ) -> Fetched:
        """Call `fetch(url)` from the page, the way a frontend's code would."""
        init: dict[str, Any] = {"method": method, "headers": dict(headers or {})}
        if body is not None:
            init["body"] = body
        run = self.run(FETCH_SCRIPT, [url, init, int(timeout * 1000)], timeout=timeout + 5.0)
        outcome = run.result if isinstance(run.result, dict) else {}
        status = outcome.get("status")
        return Fetched(
            method=method,
            url=url,
            status=status if isinstance(status, int) else None,
            error=outcome.get("error") if status is None else None,
            body=str(outcome.get("body", "")),
            run=run,
        )

    def close(self) -> None:
        """Dispose of the page's browser context, without waiting for Chromium to confirm."""
        self._pipe.events.clear()
        if not self._pipe.closed:
            try:
                self._pipe.send(
                    "Target.disposeBrowserContext", {"browserContextId": self._context}, reply=False
                )
            except BrowserUnavailable:
                pass

    def _open(self, deadline: float) -> None:
        pipe = self._pipe
        target = pipe.call(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": self._context},
            deadline=deadline,
        )["targetId"]
        self._session = pipe.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}, deadline=deadline
        )["sessionId"]
        calls = [pipe.send(domain, session=self._session) for domain in _DOMAINS]
        if self._user_agent:  # a headless browser says so in every request: say Chrome instead
            calls.append(pipe.send("Emulation.setUserAgentOverride", self._user_agent, session=self._session))
        for call_id in calls:
            pipe.reply(call_id, deadline)
        pipe.call("Page.navigate", {"url": self.url}, session=self._session, deadline=deadline)
        pipe.wait_for("Page.loadEventFired", self._session, deadline)
        pipe.events.clear()  # the page's own load is not any script's doing


class BrowserApp:
    """The learner's running app, as a page on another origin reaches it. Browser checks
    (`@check(..., browser=True)`) receive one."""

    def __init__(self, source: Source, port: int, browser: Browser) -> None:
        self.source = source
        self.url = f"http://127.0.0.1:{port}"
        self.browser = browser

    @property
    def page_origin(self) -> str:
        return self.browser.page_url.rstrip("/")

    @contextmanager
    def page(self) -> Iterator[AppPage]:
        """One page for several calls, as a frontend makes them (they share its caches)."""
        with self.browser.page() as page:
            yield AppPage(page, self.url)

    def fetch(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        timeout: float = 5.0,
    ) -> Fetched:
        """Call `fetch(app URL + path)` from a fresh page, the way a frontend's code would."""
        with self.page() as page:
            return page.fetch(method, path, headers=headers, body=body, timeout=timeout)

    def run(self, script: str, *, timeout: float = RUN_TIMEOUT) -> PageRun:
        """Call `script`, a JavaScript function, with the app's base URL, in a fresh page."""
        return self.browser.run(script, self.url, timeout=timeout)


@dataclass(frozen=True)
class AppPage:
    """A page that calls the learner's app: paths are relative to the app's address."""

    page: Page
    app_url: str

    def fetch(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        timeout: float = 5.0,
    ) -> Fetched:
        return self.page.fetch(
            method, self.app_url + path, headers=headers, body=body, timeout=timeout
        )

    def run(self, script: str, *, timeout: float = RUN_TIMEOUT) -> PageRun:
        return self.page.run(script, self.app_url, timeout=timeout)


_DOMAINS = ("Network.enable", "Log.enable", "Runtime.enable", "Page.enable")


class _PageServer:
    """Serves the page on 127.0.0.1 at a free port, from a daemon thread."""

    def __init__(self, server: http.server.ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.port = int(server.server_address[1])

    @classmethod
    def start(cls) -> _PageServer:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        thread.start()
        return cls(server, thread)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=1.0)


class _PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = self.path == "/"
        body = PAGE if found else b"not found"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8" if found else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the page server is the grader's, not the learner's: nothing to show


def _ordinary_chrome(version: Mapping[str, Any], language: str) -> dict[str, Any]:
    """What an ordinary Chrome of this version says about itself (the User-Agent and the
    client hints behind sec-ch-ua), where headless Chromium would say "HeadlessChrome"."""
    agent = str(version.get("userAgent", "")).replace("HeadlessChrome/", "Chrome/")
    full = str(version.get("product", "")).partition("/")[2] or "0.0.0.0"
    major = full.split(".")[0]
    brands = [
        {"brand": "Chromium", "version": major},
        {"brand": "Google Chrome", "version": major},
        {"brand": "Not:A-Brand", "version": "24"},
    ]
    return {
        "userAgent": agent,
        "acceptLanguage": language,
        "userAgentMetadata": {
            "brands": brands,
            "fullVersionList": [{**brand, "version": full if brand["version"] == major else brand["version"]} for brand in brands],
            "platform": "Linux" if "Linux" in agent else "Windows" if "Windows" in agent else "macOS",
            "platformVersion": "",
            "architecture": "x86",
            "model": "",
            "mobile": False,
        },
    }


def _profile_root() -> str:
    """Where the throwaway profile goes: the usual temporary folder, unless its path is too long.
    Chromium opens a socket under its TMPDIR (the profile), and socket paths are short."""
    root = tempfile.gettempdir()
    if len(root) <= MAX_PROFILE_ROOT or not os.access("/tmp", os.W_OK):
        return root
    return "/tmp"


def _kill_stragglers(profile: str) -> None:
    """Kill what left the process group: Chromium's crash handler double-forks into a session
    of its own. Everything Chromium starts names the throwaway profile on its command line."""
    marker = profile.encode()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return  # no /proc: not Linux, and the crash handler exits once Chromium is gone
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                found = marker in handle.read()
        except OSError:
            continue
        if found:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _above(fd: int, floor: int = 4) -> int:
    """`fd`, or a close-on-exec copy numbered above `floor`, so that mapping the child's fds 3
    and 4 in order never overwrites a source that is still to be mapped."""
    return fd if fd > floor else fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor + 1)
