"""Running the learner's app: the sandbox, the child processes that load and serve it, their
limits and clean-up, the events they send back (parsed once, at the edge), and the check
that the grader's own install is unchanged.

May import `grader.read` and `grader.verdict`; never static analysis, live checks, lessons
or views. The runner scripts (`warm_worker`, `serve_child`, `runner_child`, `process_tree`)
run inside the sandbox with the standard library only and import nothing of the grader.
"""
