"""The words every stage speaks about a verdict: what a check may conclude (`Failure`,
`Passed`, `Skip`, `@check`), what a grade reports (`Report`, `StepResult`, `Status`), and
what a class's reports add up to.

May import `grader.read`; nothing above it.
"""
