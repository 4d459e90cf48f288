# Import a module that sits beside the submission (a symlink the learner added to it) and
# hand its text back through the learner's own failure message.
def sibling_text():
    here = _Path(__file__).resolve().parent
    try:
        return (here / "notes.py").read_text()
    except OSError:
        return ""


_text = sibling_text()
if "SECRET" in _text:
    raise RuntimeError("found " + _text.replace("\n", " ")[-200:])
