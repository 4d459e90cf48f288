# Write files outside its own copy: the course, the grader's venv, HOME, the host's /tmp.
import site as _site


def write_everywhere():
    places = [_Path.home(), _Path("/tmp"), _Path("/dev/shm"), _Path(_sys.prefix)]
    places += [_Path(p) for p in _site.getsitepackages()]
    course = course_root()
    if course is not None:
        places += [course, course / "exercise" / "cors-headers", course / "solution" / "cors-headers"]
        target = course / "exercise" / "cors-headers" / "main.py"
        try:
            target.write_text(target.read_text() + "\n# overwritten by " + MARKER + "\n")
        except OSError:
            pass
    for place in places:
        try:
            (place / f"left-by-{MARKER}.txt").write_text("pwned")
        except OSError:
            pass


write_everywhere()
