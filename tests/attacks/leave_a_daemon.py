# Leave a process behind that outlives the grade: double fork, new session, ignore SIGTERM
# and SIGHUP.
import subprocess as _subprocess


def daemonize():
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.signal(signal.SIGHUP, signal.SIG_IGN); time.sleep(120)"
    _subprocess.Popen(
        [_sys.executable, "-c", code + "  # " + MARKER],
        start_new_session=True,
        stdin=_subprocess.DEVNULL, stdout=_subprocess.DEVNULL, stderr=_subprocess.DEVNULL,
        env={"MARKER": MARKER},
    )


daemonize()
