"""Explaining, in the learner's words, why their app never started serving."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import libcst as cst

from grader.run.server import StartProblem
from grader.static.source import Source
from grader.verdict.checks import Failure

# Calls that can keep a module from ever finishing its import, and what each one does.
BLOCKING_CALLS = {
    "time.sleep": "sleeps",
    "builtins.input": "waits for someone to type at the keyboard, and nobody will",
    "uvicorn.run": "starts a second server inside the import, which never returns",
}
EXIT_CALLS = ("sys.exit", "os._exit", "exit", "quit", "builtins.exit", "builtins.quit")


def start_failure(problem: StartProblem, source: Source | None, attr: str) -> Failure:
    """The Failure a live step reports when the app could not be started."""
    name = source.name if source else "your file"
    data = problem.data
    frames = data.get("frames", [])
    line = frames[-1]["line"] if frames else None
    if problem.kind == "crash" and (missing := _missing_module(data.get("exception", ""))):
        return _module_not_found(missing, source, name, line, frames, data.get("exception", ""))
    if problem.kind == "crash" and (bodiless := _bodiless_status(data.get("exception", ""), source, line)):
        return bodiless
    if problem.kind == "crash":
        return Failure(
            f"Your app could not start: loading {name} raised {data.get('exception', 'an error')}.",
            line=line,
            details=_traceback(frames),  # the error itself is in the message: once is enough
            hint="Read the last line of the error and the line of your file it points at; fix it, save, "
            "and grade again.",
        )
    if problem.kind == "server-call":
        return Failure(
            f"Line {line} calls uvicorn.run(...) while {name} loads. When uvicorn imports your file "
            "(`uvicorn main:app`, and the grader too), that starts a second server inside the import, "
            "which never returns, so your app is never served.",
            line=line,
            details=_traceback(frames),
            hint='Put uvicorn.run(...) under `if __name__ == "__main__":` (it then runs only with '
            "`python main.py`), or delete it and start the app with `uvicorn main:app`.",
        )
    if problem.kind == "exit":
        code = data.get("code")
        server_line = _first_line(source, ("uvicorn.run",))
        if server_line is not None and server_line == line:
            return Failure(
                f"Line {line} calls uvicorn.run(...) while the file loads: it tries to start a second "
                f"server inside the grader's, which stopped ({_exit_status(code)}). The output below says why.",
                line=line,
                details=_output_tail(problem),
                hint='Put uvicorn.run(...) under `if __name__ == "__main__":`, or delete it and start the '
                "app with the `uvicorn main:app` command.",
            )
        return Failure(
            f"Your app could not start: {name} stopped Python while loading "
            f"(it called sys.exit() or similar, {_exit_status(code)}).",
            line=line or _first_line(source, EXIT_CALLS),
            details=(*_traceback(frames), *_output_tail(problem)),
            hint="Remove the exit call from the top level of your file; uvicorn needs the module to "
            "finish loading so it can serve the app.",
        )
    if problem.kind == "no-app":
        candidates = data.get("candidates") or []
        also = f" It does define a FastAPI app named `{candidates[0]}`." if candidates else ""
        return Failure(
            f"uvicorn looks for a variable named `{attr}` in {name}, and there is none.{also}",
            hint=f"Name your application `{attr}`: `{attr} = FastAPI()`.",
        )
    if problem.kind == "not-app":
        shown = "None" if data.get("type") == "NoneType" else f"a {data.get('type')}"
        return Failure(
            f"`{attr}` in {name} is {shown} when the file finishes loading, not a FastAPI app, so "
            "uvicorn cannot serve it.",
            hint=f"Make sure `{attr} = FastAPI()` is the last assignment to `{attr}` in the file.",
        )
    if problem.kind == "timeout":
        return _timeout(problem, source, name)
    if problem.kind == "sandbox":
        return Failure(
            f"The grader could not set up the sandbox your app runs in ({data.get('reason', 'unknown reason')}), "
            "so it did not run your code. This is not a mistake in your file.",
            hint="Grade again; if it keeps happening, run `grade --no-sandbox` on your own machine, or tell "
            "your instructor (the machine may not allow user namespaces).",
        )
    if problem.kind == "protocol":
        return Failure(
            f"Your app's process wrote to the grader's own status channel ({data.get('reason', 'something unexpected')}), "
            "so the grader cannot trust this run and does not grade it.",
            hint="Do not write to file descriptors your program did not open; print() and logging are fine.",
        )
    return _died(problem, source, name)


def _bodiless_status(exception: str, source: Source | None, line: int | None) -> Failure | None:
    """FastAPI refuses a route whose status has no body (204, 304) but whose return type
    promises one: blame the annotation, not the decorator the traceback shows."""
    found = re.search(r"Status code (\d+) must not have a response body", exception)
    if found is None or source is None or line is None:
        return None
    status = found.group(1)
    for function in source.layout.functions.values():
        lines = [source.line_of(decorator) for decorator in function.decorators]
        if line not in lines or function.returns is None:
            continue
        where = source.line_of(function.returns.annotation)
        code = source.code_of(function.returns.annotation)
        return Failure(
            f"Line {where} declares `-> {code}` on {function.name.value}(), whose route (line {line}) "
            f"answers with status {status}. A {status} answer has no body, so FastAPI refuses a return "
            "type that promises one, and the app cannot start.",
            line=where,
            details=(f"{where} | {source.text.splitlines()[where - 1].strip()}", exception),
            hint=f"Write `-> None` on line {where} and return nothing; or, if the route should send the "
            f"{code} back, drop status_code={status} from line {line}.",
        )
    return None


def _missing_module(exception: str) -> str | None:
    found = re.match(r"ModuleNotFoundError: No module named '([\w.]+)'", exception)
    return found.group(1) if found else None


def _module_not_found(
    module: str, source: Source | None, name: str, line: int | None, frames: list[dict[str, object]], exception: str
) -> Failure:
    """A missing module: the learner's own file that is not there, or a package not installed
    in the Python that `grade` runs (which is the one that runs the app)."""
    top = module.split(".", 1)[0]
    folder = source.path.parent if source else None
    details = (*_traceback(frames), exception)
    close = _close_local(top, folder, name) if folder is not None else None
    if close is not None:
        return Failure(
            f"Line {line} imports `{module}`, but there is no {top}.py next to {name}: there is "
            f"{close}.py. Is that the module you mean?",
            line=line,
            details=details,
            hint=f"Write `{close}` in the import, or rename the file to {top}.py.",
        )
    if folder is not None and ((folder / f"{top}.py").exists() or (folder / top).is_dir()):
        return Failure(
            f"Line {line} imports `{module}`: {top} is next to {name}, but Python did not find "
            f"`{module}` in it.",
            line=line,
            details=details,
            hint="Check the spelling of the module and of what you import from it.",
        )
    python = sys.executable
    if "." in module and importlib.util.find_spec(top) is not None:
        # The package is there; a module inside it is misspelled: installing changes nothing.
        return Failure(
            f"Line {line} imports `{module}`: {top} is installed, but it has no module by that name. "
            "Check the spelling: module names are case-sensitive and usually all lower case.",
            line=line,
            details=details,
            hint=f"Look up the exact module path in {top}'s documentation, and copy it into the import.",
        )
    return Failure(
        f"Line {line} imports `{module}`, a package that is not installed in the Python environment "
        f"`grade` uses ({python}), so your app cannot start.",
        line=line,
        details=details,
        hint=f"Install it into that environment: {python} -m pip install {top} (a package's name to "
        "install is sometimes different from the name you import; its documentation says which). "
        f"If `{top}` is a module of your own, it must be a file {top}.py next to {name}.",
    )


def _close_local(module: str, folder: Path, own: str) -> str | None:
    """A module of the learner's beside their file whose name is close to the missing one."""
    import difflib

    names = [p.stem for p in folder.iterdir() if (p.suffix == ".py" and p.name != own) or (p / "__init__.py").exists()]
    close = difflib.get_close_matches(module, names, n=1, cutoff=0.7)
    return close[0] if close else None


def _learner_function(problem: StartProblem, source: Source | None) -> tuple[int, str] | None:
    """The learner's function a startup error names (`lifespan() takes 0 positional arguments`),
    with its line: startup tracebacks show only the framework's frames."""
    if source is None:
        return None
    for called in re.findall(r"(\w+)\(\) (?:takes|missing|got)", problem.output):
        for function in source.layout.functions.values():
            if function.name.value == called:
                return source.line_of(function), called
    return None


def _timeout(problem: StartProblem, source: Source | None, name: str) -> Failure:
    stage = problem.data.get("stage")
    seconds = problem.data.get("timeout")
    if stage == "startup":
        message = f"Your app loaded but did not finish starting up within {seconds:g} seconds."
        hint = "Look at your startup code (lifespan or on_event('startup') handlers) for something that never ends."
        return Failure(message, details=_output_tail(problem), hint=hint)
    if stage == "libraries":
        return Failure(
            "Python took too long to import FastAPI and uvicorn; your computer may be very busy.",
            hint="Grade again in a moment.",
        )
    message = f"{name} did not finish loading within {seconds:g} seconds, so uvicorn never got to serve the app."
    blocking = _blocking_code(source)
    if blocking is not None:
        line, what = blocking
        message += f" Line {line}, at the top level of the file, {what}."
    return Failure(
        message,
        line=blocking[0] if blocking else None,
        details=_output_tail(problem),
        hint="Look for code at the top level of your file that never ends: a `while True:` loop, a "
        "long sleep, or `uvicorn.run(...)`. Put uvicorn.run under `if __name__ == \"__main__\":` "
        "or leave it out and start the app with the `uvicorn` command.",
    )


def _exit_status(code: object) -> str:
    """How `sys.exit(code)` ended Python, in words: `exit()` and `sys.exit()` mean exit code
    0; a text is printed and then ends it with code 1, so the text is what to show."""
    if isinstance(code, str):
        return f'with the message "{code}"'
    return f"exit code {0 if code is None else code}"


def _known_code(code: object) -> str:
    """The exit code, in parentheses after a space, or nothing where the grader could not
    see it (the worker of a batch reaps the processes it forked)."""
    return "" if code is None else f" (exit code {code})"


def _died(problem: StartProblem, source: Source | None, name: str) -> Failure:
    code = problem.data.get("code")
    stage = problem.data.get("stage")
    if stage == "libraries":
        # Gone before it said it would load the file: no line of the learner's had run yet
        # (a sandbox that could not start, a Python that cannot find its libraries).
        return Failure(
            f"The grader's process for your app stopped before it loaded {name}{_known_code(code)}, so "
            "none of your code ran. This is not a mistake in your file.",
            details=_output_tail(problem),
            hint="Grade again; if it keeps happening, the output above says what failed: tell your "
            "instructor, or run `grade --no-sandbox` on your own machine.",
        )
    if stage == "startup":
        learner = _learner_function(problem, source)
        if learner is not None:
            line, function = learner
            error = next((l for l in reversed(problem.output.splitlines()) if re.match(r"\w+Error", l)), "")
            code = source.text.splitlines()[line - 1] if source and line <= len(source.text.splitlines()) else ""
            return Failure(
                f"Your app loaded, then stopped while starting up: line {line}, your function {function}(), "
                f"does not fit how FastAPI calls it ({error.strip() or 'see the error below'}).",
                line=line,
                # The traceback holds only the framework's frames: show the learner's line instead.
                details=(f"{line} | {code.strip()}", error.strip()) if code else _output_tail(problem),
                hint=f"A lifespan function takes the app as its one argument: `async def {function}(app: FastAPI):`, "
                "decorated with @asynccontextmanager, with one `yield` in it.",
            )
        return Failure(
            f"Your app loaded, then stopped while starting up{_known_code(code)}.",
            details=_output_tail(problem),
            hint="The output above shows the error; startup handlers (lifespan, on_event) run at this point.",
        )
    return Failure(
        f"Python stopped while loading {name}{_known_code(code)} before the app could start.",
        line=_first_line(source, EXIT_CALLS),
        details=_output_tail(problem),
        hint="Look for os._exit(), sys.exit() or similar at the top level of your file and remove it.",
    )


def _blocking_code(source: Source | None) -> tuple[int, str] | None:
    """The first top-level code that may never finish: an endless loop or a blocking call."""
    if source is None:
        return None
    found: list[tuple[int, str]] = []
    for statement in source.module.body:
        if isinstance(statement, cst.While) and _always_true(statement.test):
            found.append((source.line_of(statement), "starts a loop that never ends"))
    for qualified, what in BLOCKING_CALLS.items():
        line = _first_line(source, (qualified,))
        if line is not None:
            found.append((line, what))
    return min(found, default=None)


def _always_true(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Name):
        return test.value == "True"
    return isinstance(test, cst.Integer) and test.evaluated_value != 0


def _first_line(source: Source | None, qualified: tuple[str, ...]) -> int | None:
    if source is None:
        return None
    lines = [line for line, place in source.calls_to(*qualified) if place.runs and place.function is None]
    return min(lines, default=None)


def _traceback(frames: list[dict[str, object]]) -> tuple[str, ...]:
    lines: list[str] = []
    for frame in frames:
        lines.append(f'File "{frame["file"]}", line {frame["line"]}')
        if frame.get("code"):
            lines.append(f"    {frame['code']}")
    return tuple(lines)


def _output_tail(problem: StartProblem) -> tuple[str, ...]:
    lines = problem.output.strip().splitlines()
    if not lines:
        return ()
    shown = [line[:300] for line in lines[-15:]]
    if problem.output_bytes > 1_000_000:
        shown.insert(0, f"(your app printed {problem.output_bytes:,} bytes; the last lines were:)")
    else:
        shown.insert(0, "Your app's last output:")
    return tuple(shown)
