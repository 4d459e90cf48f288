# Outrun the kill: a process that keeps forking a fresh copy of itself (each in a new
# session) and exiting, so any list of "the processes it started" is out of date at once.
import time as _time


def hop_away(seconds):
    if _os.fork() != 0:
        return  # the original goes on to load the app
    _os.setsid()
    end = _time.monotonic() + seconds
    while _time.monotonic() < end:
        try:
            if _os.fork() != 0:
                _os._exit(0)
        except OSError:
            _time.sleep(0.01)
            continue
        try:
            _os.setsid()
        except OSError:
            pass
        _time.sleep(0.003)
    _time.sleep(60)
    _os._exit(0)


hop_away(float("__SECONDS__"))
