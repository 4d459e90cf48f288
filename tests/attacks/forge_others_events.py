# Write a fake "crash" event, and noise, into every pipe the other submissions' processes
# write to (their status pipes and their output), through /proc/<pid>/fd/<n>, for a few
# seconds. (Only processes of this test's lab are aimed at.)
import time as _time

LAB = "__LAB__"
FAKE = b'{"event": "crash", "exception": "ZeroDivisionError: forged", "frames": []}\n'


def lab_processes():
    needle = LAB.encode()
    spared = {_os.getpid(), *ancestors()}
    for name in _os.listdir("/proc"):
        if not name.isdigit() or int(name) in spared:
            continue
        try:
            if needle in _Path(f"/proc/{name}/cmdline").read_bytes() or needle in _Path(f"/proc/{name}/environ").read_bytes():
                yield int(name)
        except OSError:
            pass


def writable_pipes(pid):
    try:
        fds = _os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return []
    found = []
    for fd in fds:
        try:
            if not _os.readlink(f"/proc/{pid}/fd/{fd}").startswith("pipe:"):
                continue
            flags = next(l for l in _Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines() if l.startswith("flags:"))
        except (OSError, StopIteration):
            continue
        if int(flags.split()[1], 8) & 0o3 in (1, 2):
            found.append(f"/proc/{pid}/fd/{fd}")
    return found


def forge_events(seconds):
    done = set()
    end = _time.monotonic() + seconds
    while _time.monotonic() < end:
        for pid in lab_processes():
            for path in writable_pipes(pid):
                if path in done:
                    continue
                done.add(path)
                try:
                    fd = _os.open(path, _os.O_WRONLY | _os.O_NONBLOCK)
                    try:
                        _os.write(fd, FAKE)
                    finally:
                        _os.close(fd)
                except OSError:
                    pass
        _time.sleep(0.02)


forge_events(float("__SECONDS__"))
