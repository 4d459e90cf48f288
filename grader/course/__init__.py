"""The course as data: finding it, loading each lesson (`lesson.toml` checked against its
schema, the checks module, the text), and putting an exercise back as committed.

May import `grader.read` and `grader.verdict`; it never runs or reads a learner's file.
"""
