"""Reading the learner's file without running it: one libcst parse per grade, and the
matchers lesson checks ask questions with (imports, the served app, middleware
registrations, decorated functions, values), each with the wrong-place diagnoses.

May import `grader.read`, `grader.verdict` and `grader.run` (for the runtime view's data
types); never live checks, lessons or views.
"""
