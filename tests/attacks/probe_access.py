# Says what it may write and read of the grader's: every path in __WRITABLE__ it could
# change (os.access: nothing is written) and every file in __READABLE__ it could read, in
# the report file __REPORT__ (a folder the test opened to everyone).
import json as _json


def probe_access():
    writable = [path for path in _json.loads('__WRITABLE__') if _os.access(path, _os.W_OK)]
    readable = []
    for path in _json.loads('__READABLE__'):
        try:
            with open(path, "rb") as file:
                file.read(1)
            readable.append(path)
        except OSError:
            pass
    _Path("__REPORT__").write_text(_json.dumps({"writable": writable, "readable": readable}))


probe_access()
