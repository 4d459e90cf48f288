# Start a couple of hundred processes, each under every per-process limit, and say how many
# started.
import time as _time

WANTED = int("__WANTED__")


def fork_many():
    children = []
    for _ in range(WANTED):
        try:
            pid = _os.fork()
        except OSError:
            break
        if pid == 0:
            _time.sleep(30)
            _os._exit(0)
        children.append(pid)
    for pid in children:
        try:
            _os.kill(pid, 9)
        except OSError:
            pass
    raise RuntimeError(f"FORKED {len(children)} processes")


fork_many()
