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
    # Code that every later Python of this user runs (where user site-packages are on).
    version = f"python{_sys.version_info[0]}.{_sys.version_info[1]}"
    user_site = _Path.home() / ".local" / "lib" / version / "site-packages"
    try:
        user_site.mkdir(parents=True, exist_ok=True)
        (user_site / "usercustomize.py").write_text(f"# left by {MARKER}\n")
    except OSError:
        pass


write_everywhere()
