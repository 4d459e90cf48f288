# Kill or stop the process that started this one (the warm worker, or the grader itself).
import signal as _signal
import time as _time


def hit_parent():
    _time.sleep(float("__DELAY__"))
    try:
        _os.kill(_os.getppid(), getattr(_signal, "__SIGNAL__"))
    except OSError:
        pass


hit_parent()
