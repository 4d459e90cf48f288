"""Asking the running app: HTTP requests on 127.0.0.1 and their answers, a real headless
browser, and the diagnosis of an app that would not start.

May import `grader.read`, `grader.verdict`, `grader.run` and `grader.static`; never lessons,
views or the commands.
"""
