"""One answer from the learner's app as the grader saw it on the wire, and how to show it."""

from __future__ import annotations

import shlex
import zlib
from dataclasses import dataclass

from grader.read.text_safety import clean

# The address learners use when they run `uvicorn main:app` themselves: curl commands
# in messages point there so they can be pasted as they are.
LEARNER_BASE_URL = "http://127.0.0.1:8000"
MAX_BODY = 64 * 1024
def decoded_body(data: bytes, headers: tuple[tuple[str, str], ...]) -> bytes:
    """The body as the app meant it: gzip and deflate undone (the grader asks for them, as
    browsers do); any other encoding is kept as it came."""
    encoding = next((value.strip().lower() for key, value in headers if key.lower() == "content-encoding"), "")
    if encoding not in {"gzip", "deflate"}:
        return data
    try:
        inflater = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
        return inflater.decompress(data, MAX_BODY)
    except zlib.error:
        return data


@dataclass(frozen=True)
class Response:
    """One answer from the learner's app, as the grader saw it on the wire."""

    method: str
    path: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    server_output: str = ""
    start_command: str = "uvicorn main:app"  # how the learner starts this app themselves
    # Everything that went on the wire, in order: request_headers (what the check asked for,
    # which a curl shows) among the headers any browser adds (User-Agent, Sec-Fetch-*...).
    wire_headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        """A header's value (repeated headers joined with ", "), or None when absent."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def header_list(self, name: str) -> list[str]:
        """A comma-separated header's items, stripped; empty when absent."""
        value = self.header(name)
        return [item.strip() for item in value.split(",") if item.strip()] if value else []

    @property
    def error_lines(self) -> tuple[str, ...]:
        """The app's own traceback for this request, trimmed for a learner: the frames in
        their code (not in installed libraries) and the exception line."""
        lines = [line for line in self.server_output.splitlines() if line.strip()]
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
        if not starts:
            return tuple(lines[-6:])
        block = lines[starts[-1] :]
        kept: list[str] = []
        for index, line in enumerate(block):
            if line.lstrip().startswith('File "') and not _library_frame(line):
                kept.append(line.strip())
                following = block[index + 1] if index + 1 < len(block) else ""
                if following.startswith("    ") and not following.lstrip().startswith('File "'):
                    kept.append("    " + following.strip())
        exception = next((line for line in reversed(block) if not line.startswith(" ")), "")
        return (*kept, exception) if exception else tuple(kept)

    @property
    def text(self) -> str:
        return clean(self.body.decode("utf-8", "replace"), MAX_BODY)

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}".strip()

    def curl(self, base_url: str = LEARNER_BASE_URL) -> str:
        """A curl command that sends this request again, to the learner's own server."""
        parts = ["curl", "-i"]
        if self.method != "GET":
            parts += ["-X", self.method]
        parts.append(base_url + self.path)
        for key, value in self.request_headers:
            parts += ["-H", f"{key}: {value}"]
        return " ".join(shlex.quote(part) for part in parts)



def _library_frame(line: str) -> bool:
    return any(marker in line for marker in ("site-packages", "dist-packages", "/lib/python", "<frozen"))
