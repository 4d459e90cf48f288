"""Source.routes / expect_route / dependencies / expect_dependency / security_schemes, and the
hooks registered without a decorator: what a lesson about any FastAPI feature asks of a file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import Failure, Source

KEYED = """\
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPBearer, OAuth2PasswordBearer

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
bearer = HTTPBearer()
oauth2 = OAuth2PasswordBearer("token")


def verify_key(key: str | None = Security(api_key_header)) -> str:
    if key != "secret":
        raise HTTPException(status_code=401, detail="Missing or wrong API key")
    return key


app = FastAPI()
router = APIRouter(prefix="/v1")


@app.get("/notes", status_code=200, response_model=list[str])
async def notes(limit: int = 10, key: str = Depends(verify_key)) -> list[str]:
    return []


@app.get("/annotated")
def annotated(key: Annotated[str, Depends(verify_key)]) -> dict[str, str]:
    return {}


@router.post("/items", status_code=201, dependencies=[Depends(verify_key)])
def items() -> dict[str, str]:
    return {}


app.include_router(router, prefix="/api")
"""


def source_of(text: str, tmp_path: Path) -> Source:
    path = tmp_path / "main.py"
    path.write_text(textwrap.dedent(text))
    return Source(path, path.read_text())


def failure(text: str, tmp_path: Path, ask: str, *args: object, **kwargs: object) -> Failure:
    source = source_of(text, tmp_path)
    with pytest.raises(Failure) as caught:
        getattr(source, ask)(*args, **kwargs)
    return caught.value


def test_routes_carry_method_path_keywords_and_parameters(tmp_path: Path) -> None:
    routes = {f"{r.method} {r.path}": r for r in source_of(KEYED, tmp_path).routes()}
    assert set(routes) == {"GET /notes", "GET /annotated", "POST /api/v1/items"}
    notes = routes["GET /notes"]
    assert notes.keyword("status_code").literal == 200
    assert notes.keyword("response_model").code == "list[str]"
    assert notes.function.name == "notes" and notes.function.is_async
    limit = notes.param("limit")
    assert limit is not None and (limit.annotation, limit.default.literal, limit.dependency) == ("int", 10, None)
    assert routes["POST /api/v1/items"].keyword("status_code").literal == 201
    assert routes["POST /api/v1/items"].written_path == "/items"
    assert all(route.on_served_app for route in routes.values())


@pytest.mark.parametrize("route", ["GET /notes", "GET /annotated", "POST /api/v1/items"])
def test_each_way_of_declaring_a_dependency_is_found_and_sees_the_scheme_behind_it(tmp_path: Path, route: str) -> None:
    source = source_of(KEYED, tmp_path)
    found = source.expect_dependency("verify_key", route=route)
    assert found.target == "verify_key" and found.on_served_app
    assert found.function is not None and found.function.name == "verify_key"
    assert found.uses("fastapi.security.APIKeyHeader") and found.uses("APIKeyHeader")
    behind = source.expect_dependency("fastapi.security.APIKeyHeader", route=route)
    assert behind.where == {"GET /notes": "parameter", "GET /annotated": "annotated", "POST /api/v1/items": "route"}[route]


def test_app_wide_dependencies_and_security_schemes(tmp_path: Path) -> None:
    text = KEYED.replace("app = FastAPI()", "app = FastAPI(dependencies=[Depends(verify_key)])")
    source = source_of(text, tmp_path)
    app_wide = [d for d in source.dependencies() if d.where == "app"]
    assert len(app_wide) == 1 and app_wide[0].on_served_app
    schemes = {s.class_name: s for s in source.security_schemes()}
    assert set(schemes) == {"APIKeyHeader", "HTTPBearer", "OAuth2PasswordBearer"}
    assert schemes["APIKeyHeader"].argument("name").literal == "X-API-Key"
    assert schemes["OAuth2PasswordBearer"].argument("tokenUrl").literal == "token"
    assert schemes["HTTPBearer"].is_one_of({"fastapi.security.HTTPBearer"})


ONE_ROUTE = """\
from fastapi import Depends, FastAPI

app = FastAPI()


def verify_key() -> None:
    pass


@app.get("/notes")
def notes(key: str = Depends(verify_key)) -> list[str]:
    return []
"""


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("Depends(verify_key)", "Depends(verify_key())", "Line 11 writes `Depends(verify_key())`: that calls verify_key() once"),
        ("= Depends(verify_key)", "= verify_key", "gives `verify_key` as the default of `key`, so FastAPI never calls it"),
        ("from fastapi import Depends, FastAPI", "from fastapi import FastAPI", "uses Depends, but main.py never imports it"),
        ('@app.get("/notes")', 'if __name__ == "__main__":\n    @app.get("/notes")', "inside `if __name__ == \"__main__\":`"),
        ("app = FastAPI()", "app = FastAPI()\nother = FastAPI()", None),
    ],
)
def test_a_dependency_in_the_wrong_place_is_explained(tmp_path: Path, old: str, new: str, said: str | None) -> None:
    text = ONE_ROUTE.replace(old, new, 1)
    if said is None:  # the route on another app
        text = text.replace('@app.get("/notes")', '@other.get("/notes")')
        said = "on GET /notes, which the app uvicorn serves never answers"
    if "__main__" in new:
        text = text.replace("def notes(", "    def notes(").replace("    return []", "        return []")
    caught = failure(text, tmp_path, "expect_dependency", "verify_key")
    assert said in caught.message, caught.message
    assert caught.line is not None


def test_dependencies_given_as_a_single_depends_is_not_a_list(tmp_path: Path) -> None:
    text = ONE_ROUTE.replace('@app.get("/notes")', '@app.get("/notes", dependencies=Depends(verify_key))')
    text = text.replace("key: str = Depends(verify_key)", "")
    caught = failure(text, tmp_path, "expect_dependency", "verify_key")
    assert "it must be a list of Depends(...)" in caught.message


BEHIND_A_FUNCTION = """\
from fastapi import Depends, FastAPI
from fastapi.security import APIKeyHeader

app = FastAPI()
api_key_header = APIKeyHeader(name="X-API-Key")


def verify_key(key: str = Depends(api_key_header)) -> None:
    pass


@app.get("/")
def home() -> str:
    return "hi"


@app.get("/notes", dependencies=[Depends(verify_key)])
def notes() -> list[str]:
    return []
"""


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        # Asked for the scheme, the mistakes are still seen on the function that reaches it.
        ("dependencies=[Depends(verify_key)]", "dependencies=Depends(verify_key)", "Line 17 sets dependencies=Depends(verify_key): it must be a list"),
        ('"/notes", dependencies=[Depends(verify_key)])\ndef notes()', '"/notes")\ndef notes(key=verify_key)', "Line 18 gives `verify_key` as the default of `key`"),
        # Guarding the wrong route is named as such, not mistaken for a list that is not one.
        ('"/notes", dependencies=[Depends(verify_key)])', '"/notes")', None),
    ],
)
def test_a_dependency_behind_a_function_of_the_file_is_explained(tmp_path: Path, old: str, new: str, said: str | None) -> None:
    text = BEHIND_A_FUNCTION.replace(old, new, 1)
    if said is None:
        text = text.replace('@app.get("/")', '@app.get("/", dependencies=[Depends(verify_key)])')
        said = "Line 12 puts `Depends(verify_key)` on GET /, not on GET /notes: GET /notes still answers every request."
    assert text != BEHIND_A_FUNCTION
    caught = failure(text, tmp_path, "expect_dependency", "fastapi.security.APIKeyHeader", route="GET /notes", example="Depends(verify_key)")
    assert said in caught.message, caught.message
    assert "[Depends(verify_key)]" in (caught.hint or "") or "= Depends(verify_key)" in (caught.hint or ""), caught.hint


def test_no_dependency_at_all_has_no_hint_of_its_own(tmp_path: Path) -> None:
    caught = failure(ONE_ROUTE.replace("key: str = Depends(verify_key)", ""), tmp_path, "expect_dependency", "verify_key")
    assert caught.message == "main.py declares no dependency on verify_key yet." and caught.hint is None


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('@app.get("/notes")', '@app.post("/notes")', "Line 10 declares POST /notes, but this step needs GET /notes"),
        ('@app.get("/notes")', '@app.get("notes")', "but a path starts with /"),
        ('@app.get("/notes")', '@app.gett("/notes")', "a FastAPI app has no method `gett`"),
        ('@app.get("/notes")', "@app.get", "without the path"),
        ("app = FastAPI()", "app = FastAPI()\nrouter = APIRouter()", None),
    ],
)
def test_a_route_in_the_wrong_place_is_explained(tmp_path: Path, old: str, new: str, said: str | None) -> None:
    text = ONE_ROUTE.replace(old, new, 1)
    if said is None:  # on a router the app never includes
        text = text.replace("import Depends, FastAPI", "import APIRouter, Depends, FastAPI").replace("@app.get", "@router.get")
        said = "a router the app never includes after this line"
    caught = failure(text, tmp_path, "expect_route", "GET", "/notes")
    assert said in caught.message, caught.message


def test_a_router_included_before_its_routes_misses_them(tmp_path: Path) -> None:
    text = ONE_ROUTE.replace("import Depends, FastAPI", "import APIRouter, Depends, FastAPI")
    text = text.replace("app = FastAPI()", "app = FastAPI()\nrouter = APIRouter()\napp.include_router(router)")
    text = text.replace("@app.get", "@router.get")
    caught = failure(text, tmp_path, "expect_route", "GET", "/notes")
    assert "never includes after this line" in caught.message
    fixed = text.replace("app.include_router(router)\n", "") + "\napp.include_router(router)\n"
    assert source_of(fixed, tmp_path).expect_route("GET", "/notes").on_served_app


HOOKS = """\
from fastapi import FastAPI
from starlette.middleware.base import BaseHTTPMiddleware

app = FastAPI()


class Timing(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        response.headers["X-Time"] = "1"
        return response


async def stamp(request, call_next):
    return await call_next(request)


async def not_found(request, error):
    return None


app.add_middleware(Timing)
app.middleware("http")(stamp)
app.add_exception_handler(404, not_found)
"""


def test_hooks_registered_by_a_call_count_like_decorators(tmp_path: Path) -> None:
    source = source_of(HOOKS, tmp_path)
    middleware = source.expect_hook("middleware", "http", asynchronous=True)
    assert middleware.function.name == "stamp" and middleware.direct and middleware.line == 23
    handler = source.expect_hook("exception_handler", 404)
    assert handler.function.name == "not_found" and handler.line == 24
    elsewhere = HOOKS.replace('app.middleware("http")(stamp)', 'other = FastAPI()\nother.middleware("http")(stamp)')
    caught = failure(elsewhere, tmp_path, "expect_hook", "middleware", "http")
    assert "registers stamp() on `other`, but uvicorn serves `app`" in caught.message


def test_a_base_http_middleware_subclass_is_found_with_its_dispatch(tmp_path: Path) -> None:
    source = source_of(HOOKS, tmp_path)
    found = source.expect_registration("starlette.middleware.base.BaseHTTPMiddleware")
    assert found.middleware_code == "Timing" and found.dispatch is not None
    assert found.dispatch.expect_await("call_next").assigned_to == "response"
    given = HOOKS.replace("app.add_middleware(Timing)", "app.add_middleware(BaseHTTPMiddleware, dispatch=stamp)")
    by_keyword = source_of(given, tmp_path).expect_registration("starlette.middleware.base.BaseHTTPMiddleware")
    assert by_keyword.dispatch is not None and by_keyword.dispatch.name == "stamp"
