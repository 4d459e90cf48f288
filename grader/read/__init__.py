"""Reading what a learner hands in, safely: the file's bytes and text, a submission's files,
bounds on how much work a file may cost, and text made safe to print.

The lowest stage: imports nothing else of the grader.
"""
