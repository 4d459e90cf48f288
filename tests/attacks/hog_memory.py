# Hold a lot of memory across several processes, each under the per-process limit, and
# say how much was held in total.
import time as _time

PROCESSES = int("__PROCESSES__")
MIB_EACH = int("__MIB_EACH__")
CHUNK_MIB = 64


def hog():
    reader, writer = _os.pipe()
    children = []
    for _ in range(PROCESSES):
        try:
            pid = _os.fork()
        except OSError:
            break
        if pid == 0:
            _os.close(reader)
            held = []
            try:
                for _ in range(MIB_EACH // CHUNK_MIB):
                    held.append(b"\x01" * (CHUNK_MIB * 1024 * 1024))
                    _os.write(writer, b".")
            except MemoryError:
                pass
            _time.sleep(30)
            _os._exit(0)
        children.append(pid)
    _os.close(writer)
    chunks, goal = 0, PROCESSES * (MIB_EACH // CHUNK_MIB)
    end = _time.monotonic() + 40
    _os.set_blocking(reader, False)
    last_change = _time.monotonic()
    while chunks < goal and _time.monotonic() < end and _time.monotonic() - last_change < 5:
        try:
            got = _os.read(reader, 4096)
        except BlockingIOError:
            _time.sleep(0.05)
            continue
        if not got:
            break
        chunks += len(got)
        last_change = _time.monotonic()
    for pid in children:
        try:
            _os.kill(pid, 9)
        except OSError:
            pass
    raise RuntimeError(f"HELD {chunks * CHUNK_MIB} MiB in {len(children)} processes")


hog()
