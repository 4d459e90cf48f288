"""Source.expect_registration: every "registered in the wrong place" diagnosis, worded from
the middleware class's own name (here GZipMiddleware and TrustedHostMiddleware, not CORS)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import Failure, Source

GZIP = ("fastapi.middleware.gzip.GZipMiddleware", "starlette.middleware.gzip.GZipMiddleware")
PARAMS = ("minimum_size", "compresslevel")
HEADER = """\
from fastapi import APIRouter, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
"""


def failure(body: str, app: str = "app") -> Failure:
    source = Source(Path("main.py"), HEADER + textwrap.dedent(body), app=app)
    with pytest.raises(Failure) as raised:
        source.expect_registration(*GZIP, params=PARAMS)
    return raised.value


def test_registration_on_the_served_app_is_returned() -> None:
    source = Source(Path("main.py"), HEADER + "app = FastAPI()\napp.add_middleware(GZipMiddleware, 500)\n")
    found = source.expect_registration(*GZIP, params=PARAMS)
    assert found.line == 4 and found.argument("minimum_size") is not None


def test_served_app_name_comes_from_the_lesson() -> None:
    source = Source(Path("main.py"), HEADER + "api = FastAPI()\napi.add_middleware(GZipMiddleware)\n", app="api")
    assert source.expect_registration(*GZIP).target == "api"


def test_on_another_app() -> None:
    found = failure("app = FastAPI()\nadmin = FastAPI()\nadmin.add_middleware(GZipMiddleware)\n")
    assert found.line == 5
    assert "adds GZipMiddleware to `admin`, but uvicorn serves `app` (main:app)" in found.message
    assert found.hint == "Call `app.add_middleware(GZipMiddleware, ...)` at the top level of the file, below line 3."


def test_under_the_main_guard() -> None:
    found = failure('app = FastAPI()\nif __name__ == "__main__":\n    app.add_middleware(GZipMiddleware)\n')
    assert found.line == 5 and "adds GZipMiddleware inside `if __name__" in found.message
    assert "never takes effect" in found.message


def test_a_second_app_replaces_the_first() -> None:
    found = failure("app = FastAPI()\napp.add_middleware(GZipMiddleware)\napp = FastAPI()\n")
    assert "Line 5 creates a second app, which replaces the one from line 3" in found.message
    assert found.line == 5 and found.hint == "Delete line 5: create the app once."


def test_before_the_app_is_created() -> None:
    found = failure("app.add_middleware(GZipMiddleware)\napp = FastAPI()\n")
    assert "adds GZipMiddleware before line 4 creates the app uvicorn serves" in found.message


def test_on_a_router() -> None:
    found = failure("app = FastAPI()\nrouter = APIRouter()\nrouter.add_middleware(GZipMiddleware)\n")
    assert "`router`, an APIRouter" in found.message


def test_in_a_function_with_its_own_app() -> None:
    found = failure("app = FastAPI()\ndef build():\n    app = FastAPI()\n    app.add_middleware(GZipMiddleware)\n    return app\nbuild()\n")
    assert "belongs to the function build()" in found.message


def test_an_instance_instead_of_the_class() -> None:
    found = failure("app = FastAPI()\napp.add_middleware(GZipMiddleware(app))\n")
    assert "an object already built" in found.message and found.line == 4
    assert found.hint == "Write app.add_middleware(GZipMiddleware, ...)."


def test_the_class_name_as_text() -> None:
    found = failure('app = FastAPI()\napp.add_middleware("GZipMiddleware")\n')
    assert 'passes the text "GZipMiddleware"' in found.message


def test_a_misspelled_method() -> None:
    found = failure("app = FastAPI()\napp.add_midleware(GZipMiddleware)\n")
    assert "no method `add_midleware`" in found.message and found.line == 4


def test_settings_given_to_fastapi() -> None:
    found = failure("app = FastAPI(minimum_size=500)\n")
    assert "gives minimum_size to FastAPI() itself" in found.message
    assert "a setting of GZipMiddleware" in found.message


def test_fastapi_own_settings_are_not_mistaken_for_the_middleware_s() -> None:
    source = Source(Path("main.py"), "from fastapi import FastAPI\napp = FastAPI(debug=True)\n")
    with pytest.raises(Failure) as raised:
        source.expect_registration("starlette.middleware.errors.ServerErrorMiddleware", params=("handler", "debug"))
    assert "does not add ServerErrorMiddleware to the app yet" in raised.value.message


def test_bare_class_in_a_middleware_list() -> None:
    found = failure("app = FastAPI(middleware=[GZipMiddleware])\n")
    assert "without wrapping it" in found.message and "Middleware(GZipMiddleware, ...)" in found.message


def test_app_wrapped_by_hand() -> None:
    found = failure("app = GZipMiddleware(FastAPI())\n")
    assert "wraps the app by hand" in found.message and "That does add GZipMiddleware" in found.message


def test_app_under_another_name_is_to_be_renamed() -> None:
    found = failure("api = FastAPI()\napi.add_middleware(GZipMiddleware)\n")
    assert "Line 3 creates the app as `api`, but uvicorn serves the variable named `app`" in found.message
    assert found.hint is not None and "Rename `api` to `app`" in found.hint


def test_no_app_at_all() -> None:
    found = failure("api = make_something()\napi.add_middleware(GZipMiddleware)\n")
    assert "has no `app = FastAPI()` at the top level" in found.message


def test_app_is_a_tuple() -> None:
    assert "a tuple holding the app" in failure("app = FastAPI(),\n").message


def test_nothing_registered_yet() -> None:
    found = failure("app = FastAPI()\n")
    assert found.message == "main.py does not add GZipMiddleware to the app yet (the app is created on line 3)."


def test_another_middleware_is_not_mistaken_for_the_wanted_one() -> None:
    found = failure("from fastapi.middleware.trustedhost import TrustedHostMiddleware\napp = FastAPI()\napp.add_middleware(TrustedHostMiddleware)\n")
    assert "does not add GZipMiddleware" in found.message


def test_a_dotted_use_without_import_of_the_module() -> None:
    source = Source(Path("main.py"), "import fastapi\napp = fastapi.FastAPI()\napp.add_middleware(fastapi.middleware.gzip.GZipMiddleware)\n")
    with pytest.raises(Failure) as raised:
        source.expect_import(*GZIP, statement="from fastapi.middleware.gzip import GZipMiddleware")
    assert "never imports the module fastapi.middleware.gzip itself" in raised.value.message
    assert raised.value.line == 3


def test_a_use_without_any_import() -> None:
    source = Source(Path("main.py"), "from fastapi import FastAPI\napp = FastAPI()\napp.add_middleware(GZipMiddleware)\n")
    with pytest.raises(Failure) as raised:
        source.expect_import(*GZIP, statement="from fastapi.middleware.gzip import GZipMiddleware")
    assert "Line 3 uses GZipMiddleware, but main.py never imports it" in raised.value.message
