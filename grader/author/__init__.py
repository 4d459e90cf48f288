"""Tools for lesson authors: `lessons new` (scaffold and its templates), `lessons verify`
(grades the solution, the starter, `wrong/` samples and mutants of the solution), and the
`# expect:` lines of sample submissions.

Sits above the engine, since verify grades; only `lessons_cli` imports it.
"""
