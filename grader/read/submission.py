"""A submission's files, read once by the grader and handed to the sandbox as one bundle.

The grader opens each file itself without following links and accepts regular files only,
so a `main.py` that points at the reference solution or at another learner's work is
refused rather than read. The sandboxed child never sees the original folder: it gets the
bytes through an anonymous in-memory file.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

# Files beside the main one that come along (a module it imports, a data file it reads).
MAX_SIBLINGS = 32
MAX_SIBLING_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024


class NotRegularFile(Exception):
    """The path is a link, a folder, a device or a pipe: something to refuse, not read."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}")
        self.path = path
        self.kind = kind


def read_regular(path: Path, limit: int) -> bytes:
    """The first `limit` + 1 bytes of `path`, which must be a regular file, not a link."""
    if path.is_symlink():
        raise NotRegularFile(path, "a symbolic link")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == 40:  # ELOOP: replaced by a link after the check above
            raise NotRegularFile(path, "a symbolic link") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, _kind(mode))
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(65536, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def bundle(main: Path, data: bytes, with_siblings: bool) -> int:
    """An in-memory file holding the submission: `main`'s bytes and, with `with_siblings`,
    the regular files beside it (links, folders and hidden files stay behind)."""
    files = {main.name: data}
    if with_siblings:
        total = len(data)
        for entry in sorted(main.parent.iterdir())[: MAX_SIBLINGS * 4]:
            if len(files) > MAX_SIBLINGS or entry.name in files or entry.name.startswith(".") or "/" in entry.name:
                continue
            try:
                content = read_regular(entry, MAX_SIBLING_BYTES)
            except (NotRegularFile, OSError):
                continue
            if len(content) > MAX_SIBLING_BYTES or total + len(content) > MAX_TOTAL_BYTES:
                continue
            files[entry.name] = content
            total += len(content)
    payload = {"main": main.name, "files": {name: base64.b64encode(raw).decode() for name, raw in files.items()}}
    fd = os.memfd_create("submission", os.MFD_CLOEXEC)
    os.write(fd, json.dumps(payload).encode())
    return fd
