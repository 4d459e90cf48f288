# Says which paths of __WRITABLE__ it could change (os.access: nothing is written) and which
# files of __READABLE__ it could read, by their index, as its exit message: it may write
# nowhere outside its own copy to report it.
import json as _json


def access_report():
    writable = [i for i, path in enumerate(_json.loads('__WRITABLE__')) if _os.access(path, _os.W_OK)]
    readable = []
    for i, path in enumerate(_json.loads('__READABLE__')):
        try:
            with open(path, "rb") as file:
                file.read(1)
            readable.append(i)
        except OSError:
            pass
    raise SystemExit(MARKER + _json.dumps({"writable": writable, "readable": readable}) + MARKER)


access_report()
