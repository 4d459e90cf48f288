# Re-send the "started" event every second, forever: each one used to restart the clock
# of the load deadline.
import time as _time


def keep_restarting():
    pipes = status_pipes()
    end = _time.monotonic() + 600
    while _time.monotonic() < end:
        for fd in pipes:
            try:
                _os.write(fd, b'{"event": "started"}\n')
            except OSError:
                pass
        _time.sleep(1)


keep_restarting()
