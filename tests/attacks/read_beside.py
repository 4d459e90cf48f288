# Read every file that came along into its own folder (a classmate's file, an instructor's
# notes, a reference solution reached through a linked folder) and hand what it found back
# through the learner's own failure message.
import re as _re

_BESIDE = _re.compile(r"(?:BESIDE|SECRET)[0-9a-f]{12,16}")


def beside():
    here = _Path(__file__).resolve()
    found = set()
    for folder in (here.parent, here.parent.parent):
        try:
            entries = sorted(folder.iterdir())[:200]
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.resolve() != here and entry.is_file():
                    found.update(_BESIDE.findall(entry.read_text(errors="replace")))
            except OSError:
                pass
    return sorted(found)


_found = beside()
if _found:
    raise RuntimeError("found " + " ".join(_found))
