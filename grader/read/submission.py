"""A submission's files, read once by the grader and handed to the sandbox as one bundle.

The grader opens each file itself without following links and accepts regular files only,
so a `main.py` that points at the reference solution or at another learner's work is
refused rather than read; a file reached through a linked folder is refused the same way.
A file graded alone is bundled alone; only a folder submission brings the files of its
own folder. The sandboxed child never sees the original folder: it gets the bytes through
an anonymous in-memory file.
"""

from __future__ import annotations

import base64
import errno
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


def linked_folder(path: Path) -> Path | None:
    """The outermost folder on the way to `path`, as written, that is a symbolic link: a
    submission reached through one is really somewhere else (the reference solution, a
    classmate's folder). Folders above a relative path are the current folder's, which
    the system already gives with every link resolved."""
    for folder in reversed(path.parents):
        if folder.name not in ("", ".", "..") and folder.is_symlink():
            return folder
    return None


def read_regular(path: Path, limit: int, folder_fd: int | None = None) -> bytes:
    """The first `limit` + 1 bytes of `path`, which must be a regular file, not a link
    (with `folder_fd`, `path` is a name in that open folder)."""
    if folder_fd is None and path.is_symlink():
        raise NotRegularFile(path, "a symbolic link")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder_fd)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a link (or replaced by one after the check above)
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


def bundle(main: Path, data: bytes, with_folder: bool) -> int:
    """An in-memory file holding the submission: `main`'s bytes and, for a folder
    submission (`with_folder`), the regular files beside it (links, folders and hidden
    files stay behind)."""
    files = {main.name: data}
    if with_folder:
        files.update(_folder_files(main.parent, skip=main.name, room=MAX_TOTAL_BYTES - len(data)))
    payload = {"main": main.name, "files": {name: base64.b64encode(raw).decode() for name, raw in files.items()}}
    fd = os.memfd_create("submission", os.MFD_CLOEXEC)
    os.write(fd, json.dumps(payload).encode())
    return fd


def _folder_files(folder: Path, skip: str, room: int) -> dict[str, bytes]:
    """The regular files of `folder`, opened through the folder itself (O_NOFOLLOW), so a
    folder swapped for a link since it was checked is not followed."""
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return {}
    files: dict[str, bytes] = {}
    try:
        for name in sorted(os.listdir(folder_fd))[: MAX_SIBLINGS * 4]:
            if len(files) >= MAX_SIBLINGS or name == skip or name.startswith("."):
                continue
            try:
                content = read_regular(Path(name), MAX_SIBLING_BYTES, folder_fd)
            except (NotRegularFile, OSError):
                continue
            if len(content) > MAX_SIBLING_BYTES or len(content) > room:
                continue
            files[name] = content
            room -= len(content)
    finally:
        os.close(folder_fd)
    return files
