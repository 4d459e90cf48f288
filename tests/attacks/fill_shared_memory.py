# Fill /dev/shm, /dev and /tmp (in memory on many machines) with many files, each under a
# per-file size limit, and say how much they took.
def fill(folder, mib):
    written = 0
    block = b"\x01" * (1024 * 1024)
    try:
        for index in range(mib // 8):
            with open(_Path(folder) / f"fill-{MARKER}-{index}", "wb") as out:
                for _ in range(8):
                    out.write(block)
                    out.flush()
                    written += 1
    except OSError:
        pass
    return written


_filled = {folder: fill(folder, int("__MIB__")) for folder in ("/dev/shm", "/tmp", "/dev")}
raise RuntimeError("FILLED " + " ".join(f"{folder}={mib}" for folder, mib in _filled.items()))
