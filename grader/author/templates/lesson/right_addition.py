

# Another correct solution: every step must pass it (lessons verify checks). Keep one file
# per way a learner may rightly solve the lesson, so an over-strict check shows up here first.
@${app_attr}.get("${path}")
async def ${function}():
    answer = {"status": "ok"}
    return answer
