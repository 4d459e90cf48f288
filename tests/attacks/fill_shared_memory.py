# Fill /dev/shm and /tmp (in-memory on many machines) and say how much they took.
def fill(folder, mib):
    written = 0
    block = b"\x01" * (1024 * 1024)
    try:
        with open(_Path(folder) / f"fill-{MARKER}", "wb") as out:
            for _ in range(mib):
                out.write(block)
                out.flush()
                written += 1
    except OSError:
        pass
    return written


_filled = {folder: fill(folder, int("__MIB__")) for folder in ("/dev/shm", "/tmp")}
raise RuntimeError("FILLED " + " ".join(f"{folder}={mib}" for folder, mib in _filled.items()))
