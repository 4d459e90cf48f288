"""Showing reports: the terminal view, `--json`, Gradescope's results.json, a class's table,
and the lesson page that `grade --open` serves (`views/page/`).

Pure renderers over `grader.verdict` results; may import every stage below except the
commands (`engine`, `batch`, `watch`, `cli`) and the author tools.
"""
