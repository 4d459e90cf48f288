"""`Source`: the learner's parsed file with every matcher a lesson check asks questions with.

The facts live in `parsed.py`; the finders that build on them (registrations, decorated
functions, the diagnoses of a registration in the wrong place) each have a module of their
own. This class gathers them in one place for lesson authors.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.static.functions import Dependency, Function, SecurityScheme, function_of, schemes_in
from grader.static.hooks import Hook, expect_hook, hooks_in
from grader.static.parsed import AppBinding, ParsedFile
from grader.static.registrations import Registration
from grader.static.registrations import registrations_in
from grader.static.routes import Route, dependencies_in, expect_dependency, expect_route, routes_in
from grader.static.wrong_place import (
    Wanted,
    expect_before_server_start,
    expect_registered_once,
    expect_registration,
    expect_served_app,
)


class Source(ParsedFile):
    """A learner's Python file, parsed once, with matchers for lesson checks."""

    def middleware_registrations(self, params: Sequence[str] = (), app: str | None = None) -> list[Registration]:
        """Every middleware registration in the file, running or not, in source order.

        `params` names the middleware class's parameters after the wrapped app, in order,
        so positional arguments can be read by name. Worked out once per file: several
        checks ask.
        """
        return registrations_in(self, params, app or self.app)

    def expect_served_app(self, app: str | None = None) -> AppBinding:
        """The app uvicorn serves; otherwise a Failure: no `app = FastAPI()` at the top level,
        `app = FastAPI(),` (a tuple), `app = FastAPI` (the class), `app = None`..."""
        return expect_served_app(self, app or self.app)

    def expect_registration(
        self,
        *middleware: str,
        params: Sequence[str] = (),
        app: str | None = None,
        example: str | None = None,
    ) -> Registration:
        """The registration of one of the `middleware` classes (qualified names) that takes
        effect on the served app; otherwise a Failure worded from the class's name for each
        usual mistake: on another app object, under the main guard or in a function nothing
        calls, before the app is created, on an APIRouter, an instance instead of the class,
        the class as text, a misspelled method, a bare class in FastAPI(middleware=[...]),
        its settings handed to FastAPI(), the app wrapped by hand. `example` is a complete
        registration shown in hints (default: `app.add_middleware(Name, ...)`)."""
        app = app or self.app
        name = middleware[0].rpartition(".")[2]
        wanted = Wanted(tuple(middleware), tuple(params), app, example or f"{app}.add_middleware({name}, ...)")
        return expect_registration(self, wanted)

    def expect_registered_once(
        self, *middleware: str, params: Sequence[str] = (), app: str | None = None, why: str = ""
    ) -> None:
        """Fails when one of the `middleware` classes is registered on the served app twice
        (two add_middleware calls): two layers, settings not merged. `why` adds what two
        layers of this middleware do, for the learner."""
        app = app or self.app
        name = middleware[0].rpartition(".")[2]
        wanted = Wanted(tuple(middleware), tuple(params), app, f"{app}.add_middleware({name}, ...)")
        expect_registered_once(self, wanted, why)

    def expect_before_server_start(self, registration: Registration) -> None:
        """Fails when the file starts a server (`uvicorn.run(app)` under the main guard) above
        the registration: under `python main.py` the app is served without it."""
        expect_before_server_start(self, registration, registration.middleware_code.rpartition(".")[2])

    def hooks(self, method: str | None = None) -> list[Hook]:
        """Every function registered with a decorator `@target.method(...)`, running or not, in
        source order: `@app.middleware("http")`, `@app.exception_handler(404)`,
        `@app.on_event("startup")`, `@app.get("/notes")`... With `method`, only those."""
        return hooks_in(self, method)

    def expect_hook(
        self, method: str, argument: object = None, *, asynchronous: bool | None = None, example: str | None = None
    ) -> Hook:
        """The function registered on the served app with `@app.method(argument)` (e.g.
        `expect_hook("middleware", "http", asynchronous=True)`); otherwise a Failure for each
        usual mistake: on another app or a router, under the main guard or in a function
        nothing calls, before the app exists, the decorator without parentheses or with
        another argument, a misspelled method, a plain `def` where FastAPI awaits it."""
        return expect_hook(self, method, argument, asynchronous, example)

    def function(self, name: str) -> Function | None:
        """The module-level function `name` that exists once the file is loaded, with what its
        body does: `.calls`, `.calls_to("call_next")`, `.returns`, `.expect_await(...)`..."""
        node = self.layout.functions.get(name)
        return function_of(self, node) if node is not None else None

    def routes(self) -> list[Route]:
        """Every endpoint (`@app.get("/notes")`, `@router.post(...)`, `@app.api_route(...)`),
        running or not, in source order, with its keywords, parameters and dependencies."""
        return routes_in(self)

    def expect_route(self, method: str, path: str, *, example: str | None = None) -> Route:
        """The route `method path` (as requested, router prefixes included) that the served app
        answers; otherwise a Failure for each usual mistake: on another app, on a router the app
        never includes, under the main guard or in a function nothing calls, before the app
        exists, another method, a path spelled differently or without its leading /, the
        decorator without its path, a misspelled method."""
        return expect_route(self, method, path, example)

    def dependencies(self) -> list[Dependency]:
        """Every `Depends(...)`/`Security(...)` in the file, running or not: in parameters (as a
        default or in `Annotated[...]`), in `dependencies=[...]` of a route, a router, an
        include_router(...) or FastAPI(...)."""
        return dependencies_in(self)

    def expect_dependency(self, *names: str, route: str | None = None, example: str | None = None) -> Dependency:
        """The dependency that reaches one of `names` (a function's name, "verify_key", or a
        class: "fastapi.security.APIKeyHeader"), directly or through the functions it calls, and
        applies to the served app: to `route` ("GET /notes") when given, else to any route or
        the whole app. Otherwise a Failure for each usual mistake: `Depends(f())` (the result,
        not the function), `= Depends` without parentheses, Depends never imported, the function
        as a plain default, `dependencies=Depends(f)` (not a list), on a route or app uvicorn
        never serves, under the main guard. `example` is shown in hints (default `Depends(name)`)."""
        return expect_dependency(self, names, route, example)

    def security_schemes(self) -> list[SecurityScheme]:
        """Every security scheme assigned in the file (`api_key_header = APIKeyHeader(name="X-API-Key")`,
        `HTTPBearer()`, `OAuth2PasswordBearer(tokenUrl="token")`), running or not."""
        return schemes_in(self)
