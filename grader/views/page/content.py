"""What the page shows, as data: the lesson text as HTML and a report as a JSON-ready dict."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from grader.course.lesson import PageCall, PagePlan, PageSite
from grader.verdict.results import Report, Status

# What a page may send without a preflight (the Fetch standard's safelisted methods and headers).
SIMPLE_METHODS = {"GET", "HEAD", "POST"}
SIMPLE_HEADERS = {"accept", "accept-language", "content-language"}
SIMPLE_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}

# Code blocks are coloured by Pygments (a Rich dependency), with one palette per colour scheme.
LIGHT_STYLE = "friendly"
DARK_STYLE = "github-dark"


def lesson_html(markdown_text: str) -> str:
    """The lesson's Markdown as HTML. Raw HTML in the text is shown as text, never run."""
    return _markdown().render(markdown_text)


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")


def _highlight(code: str, language: str, attrs: str) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        return ""  # markdown-it escapes it as plain text
    return str(highlight(code, lexer, HtmlFormatter(nowrap=True)))


@cache
def highlight_css() -> str:
    """Pygments' colours for code blocks: the light palette, and the dark one for dark mode."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".lesson pre")
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(".lesson pre")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def report_state(
    report: Report, shown_file: str, revealed: Mapping[str, int], following: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A report as the page draws it. `revealed`: how many hints each step has shown so far;
    `following`: the next lesson (its number, how many there are, its title), if any."""
    steps = []
    for number, step in enumerate(report.steps, start=1):
        hints: list[str] = []
        more = False
        if step.status is Status.FAIL:
            shown = max(revealed.get(step.id, 1) - 1, 0)
            hints = [h for h in (step.hint, *step.more_hints[:shown]) if h]
            more = len(step.more_hints) > shown
        steps.append(
            {
                "number": number,
                "id": step.id,
                "title": step.title,
                "status": step.status.value,
                "message": step.message,
                "details": list(step.details),
                "line": step.line,
                "hints": hints,
                "more_hints": more,
            }
        )
    first = report.first_failure
    return {
        "file": shown_file,
        "outcome": report.outcome.value,
        "error": report.error,
        "passed": sum(step.status is Status.PASS for step in report.steps),
        "total": len(report.steps),
        "first_failure": report.steps.index(first) + 1 if first is not None else None,
        "problem_line": report.problem.line if report.problem is not None else None,
        "unreadable": report.problem is not None,
        "success": (report.success_text or "").strip() or None,
        "next": dict(following) if following is not None else None,
        "steps": steps,
    }


def calls_state(plan: PagePlan, sites: tuple[PageSite, ...], proxies: Mapping[int, str]) -> dict[str, Any]:
    """The calls panel's plan: each site's label, where its calls go, the calls themselves, and
    the lesson's words for a blocked call. `proxies`: where each site's calls go (the grader's
    proxy for that site, with this run's key)."""
    calls = plan.calls
    return {
        "blocked": plan.blocked,
        "sites": [
            {"label": site.label, "origin": site.origin, "credentials": site.credentials, "proxy": proxies.get(index)}
            for index, site in enumerate(sites)
        ],
        "calls": [
            {
                "method": call.method,
                "path": call.path,
                "headers": dict(call.headers),
                "body": call.body,
                "preflighted": preflighted(call),
            }
            for call in calls
        ],
    }


def preflighted(call: PageCall) -> bool:
    """Whether a browser sends a preflight (OPTIONS) before this call."""
    if call.method not in SIMPLE_METHODS:
        return True
    for name, value in call.headers:
        if name.lower() == "content-type":
            if value.split(";")[0].strip().lower() not in SIMPLE_CONTENT_TYPES:
                return True
        elif name.lower() not in SIMPLE_HEADERS:
            return True
    return False
