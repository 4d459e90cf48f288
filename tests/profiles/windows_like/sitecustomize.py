"""Play Windows' process API in the `grade` process: what Windows lacks is removed at startup."""

import os
import select
import socket
import stat

# psutil's Linux backend reads socket.AF_UNIX when imported; its Windows one never does.
try:
    import psutil  # noqa: F401
except ImportError:  # an install from before psutil: the grade will say it is missing
    pass

for name in ("fork", "forkpty", "killpg", "setsid", "getsid", "getpgid", "setpgid", "posix_spawn", "posix_spawnp"):
    if hasattr(os, name):
        delattr(os, name)
for name in ("AF_UNIX", "send_fds", "recv_fds"):
    if hasattr(socket, name):
        delattr(socket, name)



def _socketpair(family=socket.AF_INET, type=socket.SOCK_STREAM, proto=0):  # type: ignore[no-untyped-def]
    """Windows has no native socketpair: Python joins two TCP sockets on 127.0.0.1 (asyncio's
    self-pipe is one), and Linux refuses socketpair() for anything but AF_UNIX."""
    with socket.socket(family, type, proto) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        ours = socket.socket(family, type, proto)
        ours.connect(listener.getsockname())
        theirs, _ = listener.accept()
    return ours, theirs


socket.socketpair = _socketpair

_select = select.select


def _sockets_only(rlist, wlist, xlist, timeout=None):  # type: ignore[no-untyped-def]
    """Windows' select() waits on sockets only: a pipe is an error there."""
    for item in (*rlist, *wlist, *xlist):
        fd = item if isinstance(item, int) else item.fileno()
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            raise OSError(10038, "select() on something that is not a socket (as on Windows)")
    return _select(rlist, wlist, xlist, timeout)


select.select = _sockets_only
