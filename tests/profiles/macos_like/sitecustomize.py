"""Play macOS in the `grade` process: no /proc, no cgroup tree, no bubblewrap or unshare."""

import builtins
import io
import os
import shutil

HIDDEN = ("/proc", "/sys/fs/cgroup")


def _hidden(path: object) -> bool:
    if isinstance(path, int):
        return False
    try:
        text = os.fsdecode(os.fspath(path))  # type: ignore[arg-type]
    except TypeError:
        return False
    return any(text == top or text.startswith(top + "/") for top in HIDDEN)


def _hiding(function):  # type: ignore[no-untyped-def]
    def hidden(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _hidden(path):
            raise FileNotFoundError(2, "No such file or directory (as on macOS)", str(path))
        return function(path, *args, **kwargs)

    return hidden


for _name in ("listdir", "scandir", "stat", "lstat", "readlink", "open", "access"):
    setattr(os, _name, _hiding(getattr(os, _name)))
builtins.open = io.open = _hiding(io.open)

_which = shutil.which


def _which_but_sandboxes(command, *args, **kwargs):  # type: ignore[no-untyped-def]
    return None if os.path.basename(str(command)) in {"bwrap", "unshare"} else _which(command, *args, **kwargs)


shutil.which = _which_but_sandboxes
