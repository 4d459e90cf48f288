# Read the grader's environment (tokens, secrets) through /proc/<ancestor>/environ, and
# hand it back through the learner's own failure message.
def grader_secrets():
    found = []
    for pid in ancestors():
        try:
            environ = _Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        found += [item.decode() for item in environ if item.startswith(b"GRADER_TEST_SECRET=")]
    return found


_leaked = grader_secrets()
if _leaked:
    raise RuntimeError("leaked " + " ".join(_leaked))
