"""Source.hooks / expect_hook / function: decorator middleware and other app hooks, where
they sit, whether they reach the served app, and what their bodies do."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import Failure, Source

TIMING = """\
import time

from fastapi import APIRouter, FastAPI, Request

app = FastAPI()


@app.middleware("http")
async def add_process_time(request: Request, call_next):
    start = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = str(time.perf_counter() - start)
    return response


@app.exception_handler(404)
async def not_found(request, error):
    return None


@app.on_event("startup")
def hello() -> None:
    print("hello")
"""


def src(text: str, app: str = "app") -> Source:
    return Source(Path("main.py"), textwrap.dedent(text), app=app)


def timing_failure(old: str, new: str) -> Failure:
    assert old in TIMING
    source = src(TIMING.replace(old, new))
    with pytest.raises(Failure) as raised:
        hook = source.expect_hook("middleware", "http", asynchronous=True)
        call = hook.function.expect_await("call_next")
        hook.function.expect_returns(call)
    return raised.value


def test_every_decorated_hook_is_found_with_its_argument_and_app() -> None:
    hooks = src(TIMING).hooks()
    assert [(h.method, h.argument.literal if h.argument else None, h.line, h.on_served_app) for h in hooks] == [
        ("middleware", "http", 8, True),
        ("exception_handler", 404, 16, True),
        ("on_event", "startup", 21, True),
    ]
    assert [h.function.name for h in src(TIMING).hooks("on_event")] == ["hello"]


def test_a_correct_decorator_middleware_passes_every_expectation() -> None:
    hook = src(TIMING).expect_hook("middleware", "http", asynchronous=True)
    call = hook.function.expect_await("call_next")
    assert (call.line, call.assigned_to, call.awaited) == (11, "response", True)
    assert hook.function.expect_returns(call).line == 13
    assert hook.function.is_async and hook.function.params == ("request", "call_next")
    assert [c.callee for c in hook.function.calls] == ["time.perf_counter", "call_next", "str", "time.perf_counter"]


def test_return_await_directly_counts_as_returning_the_result() -> None:
    source = src(TIMING.replace("    response = await call_next(request)\n", "    return await call_next(request)\n"))
    function = source.expect_hook("middleware", "http").function
    assert function.expect_returns(function.expect_await("call_next")).code == "await call_next(request)"


def test_an_alias_of_the_app_is_the_served_app() -> None:
    hook = src(TIMING.replace("app = FastAPI()\n", "app = FastAPI()\napi = app\n").replace("@app.middleware", "@api.middleware"))
    assert hook.expect_hook("middleware", "http").target == "api"


def test_the_served_app_name_comes_from_the_lesson() -> None:
    source = src(TIMING.replace("app", "api"), app="api")
    assert source.expect_hook("middleware", "http").on_served_app


def test_call_next_not_awaited() -> None:
    found = timing_failure("await call_next(request)", "call_next(request)")
    assert found.line == 11 and "without `await`" in found.message


def test_response_not_returned() -> None:
    found = timing_failure("    return response\n", "")
    assert "has no `return`, so it returns None instead of response" in found.message


def test_something_else_returned() -> None:
    found = timing_failure("    return response\n", "    return start\n")
    assert found.message == "Line 13 returns start, not response from line 11."


def test_plain_def_where_fastapi_awaits() -> None:
    found = timing_failure("async def add_process_time", "def add_process_time")
    assert "must be `async def`" in found.message and found.line == 9


def test_decorator_without_parentheses() -> None:
    found = timing_failure('@app.middleware("http")', "@app.middleware")
    assert "without parentheses" in found.message and '@app.middleware("http")' in found.message


def test_decorator_with_another_argument() -> None:
    found = timing_failure('@app.middleware("http")', '@app.middleware("https")')
    assert 'writes `@app.middleware("https")`, but this step needs @app.middleware("http")' in found.message


def test_misspelled_decorator() -> None:
    assert "no method `middlewares`" in timing_failure("@app.middleware(", "@app.middlewares(").message


def test_on_another_app() -> None:
    found = timing_failure('app = FastAPI()\n\n\n@app.middleware("http")', 'app = FastAPI()\nadmin = FastAPI()\n\n@admin.middleware("http")')
    assert "on `admin`, but uvicorn serves `app`" in found.message


def test_on_a_router() -> None:
    found = timing_failure(
        'app = FastAPI()\n\n\n@app.middleware("http")', 'app = FastAPI()\nrouter = APIRouter()\n\n@router.middleware("http")'
    )
    assert "`router`, an APIRouter" in found.message


def test_under_the_main_guard() -> None:
    body = TIMING.split('@app.middleware("http")\n')[1].split("\n\n\n")[0]
    guarded = 'if __name__ == "__main__":\n    @app.middleware("http")\n' + textwrap.indent(body, "    ")
    found = timing_failure('@app.middleware("http")\n' + body, guarded)
    assert 'inside `if __name__ == "__main__":`' in found.message


def test_before_the_app_is_created() -> None:
    source = src(TIMING + "\napp = FastAPI()\n")
    with pytest.raises(Failure) as raised:
        source.expect_hook("middleware", "http")
    assert "before line 25 creates the app uvicorn serves" in raised.value.message


def test_none_yet() -> None:
    source = src("from fastapi import FastAPI\napp = FastAPI()\n")
    with pytest.raises(Failure) as raised:
        source.expect_hook("middleware", "http")
    assert raised.value.message == 'main.py has no function decorated with @app.middleware("http") yet (the app is created on line 2).'


def test_function_looks_up_module_level_functions() -> None:
    function = src(TIMING).function("hello")
    assert function is not None and not function.is_async and function.calls_to("print")[0].line == 23
    assert src(TIMING).function("missing") is None


def test_app_argument_reads_what_fastapi_is_given() -> None:
    source = src(
        """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI

        @asynccontextmanager
        async def lifespan(app):
            yield

        app = FastAPI(lifespan=lifespan, debug=True)
        """
    )
    given = source.app_argument("lifespan")
    assert given is not None and given.code == "lifespan"
    function = source.function(given.code)
    assert function is not None and function.is_async
    debug = source.app_argument("debug")
    assert debug is not None and debug.literal is True
    assert source.app_argument("title") is None
