"""`grade --open`: the lesson as a live page in the learner's own browser, beside the editor.

`LessonPage` is what the rest of the grader uses: start it, hand it each report, close it.
"""

from grader.views.page.server import LessonPage

__all__ = ["LessonPage"]
