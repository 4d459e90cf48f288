# Kill every process it can see that is not one of its own ancestors, for a few seconds:
# in a shared PID namespace and user, that is every other submission's app.
# (Only processes of this test's lab are aimed at, so a grader that does not isolate
# submissions cannot hurt anything else on the machine.)
import signal as _signal
import time as _time

LAB = "__LAB__"


def belongs_to_lab(pid):
    needle = LAB.encode()
    try:
        return needle in _Path(f"/proc/{pid}/cmdline").read_bytes() or needle in _Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def kill_the_others(seconds):
    spared = {_os.getpid(), *ancestors()}
    end = _time.monotonic() + seconds
    while _time.monotonic() < end:
        for name in _os.listdir("/proc"):
            if name.isdigit() and int(name) not in spared and belongs_to_lab(int(name)):
                try:
                    _os.kill(int(name), _signal.SIGKILL)
                except OSError:
                    pass
        _time.sleep(0.05)


kill_the_others(float("__SECONDS__"))
