"""Unit tests for grader.static (parsed and source): imports, the served app, middleware registrations and values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.static.placement import AT_MODULE_LEVEL, MAIN_GUARD_REASON, Placement
from grader.static.parsed import ImportFound, NameImport, Value
from grader.static.source import Source
from grader.static.registrations import Registration

CORS = "fastapi.middleware.cors.CORSMiddleware"
STARLETTE_CORS = "starlette.middleware.cors.CORSMiddleware"
PARAMS = ("allow_origins", "allow_methods", "allow_headers", "allow_credentials")
HEADER = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
"""  # lines 1-2 of every source built by `with_header`


def src(text: str) -> Source:
    return Source(Path("main.py"), textwrap.dedent(text))


def with_header(text: str) -> Source:
    return Source(Path("main.py"), HEADER + textwrap.dedent(text))


def registrations(text: str, app: str = "app") -> list[Registration]:
    return with_header(text).middleware_registrations(PARAMS, app=app)


def only(text: str, app: str = "app") -> Registration:
    found = registrations(text, app)
    assert len(found) == 1, found
    return found[0]


def literals(registration: Registration) -> dict[str, object]:
    return {name: value.literal for name, value in registration.arguments.items()}


def uncalled(name: str) -> Placement:
    return Placement(
        runs=False,
        reason=f"inside the function `{name}()`, which nothing calls when the file loads",
        function=name,
    )


# -- imports_of ----------------------------------------------------------------------------------


def test_from_import_is_found() -> None:
    source = src("from fastapi.middleware.cors import CORSMiddleware\n")
    assert source.imports_of(CORS) == [
        ImportFound(
            qualified=CORS,
            module="fastapi.middleware.cors",
            bound_as="CORSMiddleware",
            line=1,
            placement=AT_MODULE_LEVEL,
            code="from fastapi.middleware.cors import CORSMiddleware",
        )
    ]


def test_import_under_alias_is_found() -> None:
    [found] = src(
        "import os\nfrom fastapi.middleware.cors import CORSMiddleware as Cors\n"
    ).imports_of(CORS)
    assert (found.bound_as, found.line) == ("Cors", 2)


def test_dotted_module_import_is_found() -> None:
    [found] = src("import fastapi.middleware.cors\n").imports_of(CORS)
    assert (found.module, found.bound_as) == (
        "fastapi.middleware.cors",
        "fastapi.middleware.cors.CORSMiddleware",
    )


def test_dotted_module_import_under_alias_is_found() -> None:
    [found] = src("import fastapi.middleware.cors as cors\n").imports_of(CORS)
    assert found.bound_as == "cors.CORSMiddleware"


def test_from_fastapi_middleware_import_cors_is_found() -> None:
    [found] = src("from fastapi.middleware import cors\n").imports_of(CORS)
    assert (found.module, found.bound_as) == ("fastapi.middleware", "cors.CORSMiddleware")


def test_star_import_of_the_module_is_found() -> None:
    [found] = src("from fastapi.middleware.cors import *\n").imports_of(CORS)
    assert (found.module, found.bound_as, found.code) == (
        "fastapi.middleware.cors",
        "CORSMiddleware",
        "from fastapi.middleware.cors import *",
    )


def test_star_import_of_the_parent_package_is_not_found() -> None:
    assert src("from fastapi.middleware import *\n").imports_of(CORS) == []


def test_star_import_of_another_module_is_not_found() -> None:
    assert src("from fastapi import *\n").imports_of(CORS) == []


def test_import_fastapi_alone_does_not_import_cors_middleware() -> None:
    assert src("import fastapi\n").imports_of(CORS) == []


def test_from_fastapi_import_middleware_does_not_import_cors_middleware() -> None:
    assert src("from fastapi import middleware\n").imports_of(CORS) == []


def test_import_of_another_name_from_the_module_is_not_found() -> None:
    assert src("from fastapi.middleware.cors import ALL_METHODS\n").imports_of(CORS) == []


def test_similar_module_name_is_not_found() -> None:
    assert (
        src(
            "import fastapi.middleware.corsx\nfrom fastapi.middleware.cors2 import CORSMiddleware\n"
        ).imports_of(CORS)
        == []
    )


def test_relative_import_is_not_found() -> None:
    source = src("from .fastapi.middleware.cors import CORSMiddleware\nfrom . import cors\n")
    assert source.imports_of(CORS) == []


def test_starlette_import_matches_only_the_starlette_name() -> None:
    [found] = src("from starlette.middleware.cors import CORSMiddleware\n").imports_of(
        CORS, STARLETTE_CORS
    )
    assert (found.qualified, found.module) == (STARLETTE_CORS, "starlette.middleware.cors")


def test_import_under_main_guard_is_found_but_does_not_run() -> None:
    source = src(
        """\
        if __name__ == "__main__":
            from fastapi.middleware.cors import CORSMiddleware
        """
    )
    [found] = source.imports_of(CORS)
    assert (found.line, found.placement) == (2, Placement(runs=False, reason=MAIN_GUARD_REASON))


def test_import_inside_uncalled_function_does_not_run() -> None:
    source = src(
        """\
        def setup():
            from fastapi.middleware.cors import CORSMiddleware
        """
    )
    [found] = source.imports_of(CORS)
    assert found.placement == uncalled("setup")


def test_every_matching_import_is_listed_in_source_order() -> None:
    source = src(
        """\
        from fastapi.middleware.cors import CORSMiddleware
        import fastapi.middleware.cors as c, os
        from starlette.middleware.cors import CORSMiddleware as S
        """
    )
    assert [(f.qualified, f.line, f.bound_as) for f in source.imports_of(CORS, STARLETTE_CORS)] == [
        (CORS, 1, "CORSMiddleware"),
        (CORS, 2, "c.CORSMiddleware"),
        (STARLETTE_CORS, 3, "S"),
    ]


# -- imports_named ---------------------------------------------------------------------------------


def test_imports_named_finds_misspelled_and_misplaced_names() -> None:
    source = src(
        """\
        from fastapi.middleware import CorsMiddleware
        from fastapi import CORSMiddleware as C
        from fastapi.middleware.cors import *
        import CORSMiddleware
        """
    )
    assert source.imports_named("CORSMiddleware") == [
        NameImport("fastapi.middleware", "CorsMiddleware", 1, AT_MODULE_LEVEL),
        NameImport("fastapi", "CORSMiddleware", 2, AT_MODULE_LEVEL),
    ]


def test_imports_named_reports_placement() -> None:
    source = src("if False:\n    from starlette import CORSMiddleware\n")
    [found] = source.imports_named("CORSMiddleware")
    assert found.placement == Placement(runs=False, reason="inside `if False:`, which never runs")


def test_imports_named_from_current_package() -> None:
    [found] = src("from . import CORSMiddleware\n").imports_named("CORSMiddleware")
    assert found.module == "."


def test_imports_named_keeps_relative_dots() -> None:
    [found] = src("from .cors import CORSMiddleware\n").imports_named("CORSMiddleware")
    assert found.module == ".cors"


# -- served_app ----------------------------------------------------------------------------------


def test_direct_app_binding() -> None:
    binding = with_header("\napp = FastAPI(title='Notes')\n").served_app()
    assert binding is not None
    assert (binding.name, binding.line, binding.is_app, binding.factory, binding.local) == (
        "app",
        4,
        True,
        None,
        None,
    )
    assert binding.call is not None


def test_annotated_app_binding() -> None:
    binding = with_header("app: FastAPI = FastAPI()\n").served_app()
    assert binding is not None and (binding.line, binding.is_app) == (3, True)


def test_dotted_fastapi_app_binding() -> None:
    binding = src("import fastapi\napp = fastapi.FastAPI()\n").served_app()
    assert binding is not None and binding.is_app


def test_starlette_app_binding() -> None:
    binding = src("from starlette.applications import Starlette\napp = Starlette()\n").served_app()
    assert binding is not None and binding.is_app


def test_chained_assignment_binds_the_app() -> None:
    binding = with_header("api = app = FastAPI()\n").served_app()
    assert binding is not None and (binding.line, binding.is_app) == (3, True)


def test_app_under_another_name() -> None:
    source = with_header("application = FastAPI()\n")
    assert source.served_app() is None
    binding = source.served_app("application")
    assert binding is not None and binding.is_app


def test_no_app_binding() -> None:
    assert with_header("api = FastAPI()\n").served_app() is None


def test_last_assignment_wins() -> None:
    binding = with_header("app = FastAPI()\napp = FastAPI()\n").served_app()
    assert binding is not None and binding.line == 4


def test_app_reassigned_to_something_else_is_not_an_app() -> None:
    binding = with_header("app = FastAPI()\napp = None\n").served_app()
    assert binding is not None
    assert (binding.line, binding.is_app, binding.call) == (4, False, None)


def test_assignment_under_main_guard_is_ignored() -> None:
    source = with_header(
        """\
        app = FastAPI()
        if __name__ == "__main__":
            app = FastAPI(debug=True)
        """
    )
    binding = source.served_app()
    assert binding is not None and binding.line == 3


def test_assignment_inside_function_is_ignored() -> None:
    source = with_header(
        """\
        def build():
            app = FastAPI()
        build()
        """
    )
    assert source.served_app() is None


def test_factory_app_binding() -> None:
    source = with_header(
        """\
        def create_app():
            application = FastAPI()
            return application
        app = create_app()
        """
    )
    binding = source.served_app()
    assert binding is not None
    assert (binding.name, binding.line, binding.is_app, binding.factory, binding.local) == (
        "app",
        6,
        True,
        "create_app",
        "application",
    )
    assert binding.call is not None and source.line_of(binding.call) == 4


def test_factory_returning_something_else_is_not_an_app() -> None:
    source = with_header(
        """\
        def create_app():
            application = FastAPI()
            return other
        app = create_app()
        """
    )
    binding = source.served_app()
    assert binding is not None
    assert (binding.is_app, binding.factory) == (False, None)


def test_factory_returning_fastapi_call_directly() -> None:
    source = with_header(
        """\
        def create_app():
            return FastAPI()
        app = create_app()
        """
    )
    binding = source.served_app()
    assert binding is not None
    assert (binding.is_app, binding.factory) == (True, "create_app")


def test_app_bound_to_the_class_is_not_an_app() -> None:
    binding = with_header("app = FastAPI\n").served_app()
    assert binding is not None
    assert (binding.line, binding.is_app) == (3, False)


def test_factory_defined_under_main_guard_is_not_followed() -> None:
    source = with_header(
        """\
        if __name__ == "__main__":
            def create_app():
                application = FastAPI()
                return application
        app = create_app()
        """
    )
    binding = source.served_app()
    assert binding is not None
    assert (binding.is_app, binding.factory) == (False, None)


def test_imported_factory_is_not_known_to_make_an_app() -> None:
    binding = src("from somewhere import create_app\napp = create_app()\n").served_app()
    assert binding is not None
    assert (binding.is_app, binding.factory) == (False, None)


def test_class_attribute_named_app_is_not_the_served_app() -> None:
    source = with_header(
        """\
        app = FastAPI()
        class Settings:
            app = None
        """
    )
    binding = source.served_app()
    assert binding is not None
    assert (binding.line, binding.is_app) == (3, True)


# -- add_middleware registrations ------------------------------------------------------------


def test_add_middleware_on_served_app() -> None:
    registration = only(
        """\
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"])
        """
    )
    assert registration.kind == "add_middleware"
    assert registration.middleware == frozenset({CORS})
    assert registration.middleware_code == "CORSMiddleware"
    assert (registration.target, registration.line, registration.placement) == (
        "app",
        4,
        AT_MODULE_LEVEL,
    )
    assert (registration.on_served_app, registration.before_app, registration.opaque) == (
        True,
        False,
        False,
    )
    assert registration.is_one_of([CORS, STARLETTE_CORS])
    assert not registration.is_one_of([STARLETTE_CORS])
    assert registration.argument("allow_origins") == Value('["*"]', 4, ["*"])
    assert registration.argument("allow_methods") is None


def test_aliased_middleware_class_is_qualified() -> None:
    source = src(
        """\
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware as Cors
        app = FastAPI()
        app.add_middleware(Cors)
        """
    )
    [registration] = source.middleware_registrations(PARAMS)
    assert (registration.middleware, registration.middleware_code) == (frozenset({CORS}), "Cors")


def test_positional_arguments_bind_by_parameter_name() -> None:
    registration = only(
        """\
        app = FastAPI()
        app.add_middleware(CORSMiddleware, ["*"], ("GET",), allow_credentials=True)
        """
    )
    assert literals(registration) == {
        "allow_origins": ["*"],
        "allow_methods": ("GET",),
        "allow_credentials": True,
    }


def test_extra_positional_arguments_beyond_known_parameters_are_dropped() -> None:
    registration = only(
        """\
        app = FastAPI()
        app.add_middleware(CORSMiddleware, 1, 2, 3, 4, 5)
        """
    )
    assert sorted(registration.arguments) == sorted(PARAMS)


def test_middleware_class_keyword() -> None:
    registration = only(
        """\
        app = FastAPI()
        app.add_middleware(["*"], middleware_class=CORSMiddleware)
        """
    )
    assert registration.middleware == frozenset({CORS})
    assert literals(registration) == {"allow_origins": ["*"]}


def test_add_middleware_without_a_class_is_ignored() -> None:
    assert (
        registrations(
            "app = FastAPI()\napp.add_middleware()\napp.add_middleware(allow_origins=['*'])\n"
        )
        == []
    )


def test_quoted_middleware_is_not_the_class() -> None:
    registration = only('app = FastAPI()\napp.add_middleware("CORSMiddleware")\n')
    assert (registration.middleware, registration.middleware_code) == (
        frozenset(),
        '"CORSMiddleware"',
    )


def test_middleware_instance_is_not_the_class() -> None:
    registration = only(
        """\
        app = FastAPI()
        app.add_middleware(CORSMiddleware(app, allow_origins=["*"]))
        """
    )
    assert registration.middleware_code == 'CORSMiddleware(app, allow_origins=["*"])'
    assert not registration.is_one_of([CORS])


def test_registration_on_the_same_line_as_the_app_after_a_semicolon() -> None:
    registration = only("app = FastAPI(); app.add_middleware(CORSMiddleware)\n")
    assert (registration.line, registration.target) == (3, "app")
    assert (registration.on_served_app, registration.before_app) == (True, False)


def test_registration_on_the_same_line_before_the_app_is_not_on_it() -> None:
    registration = only("app.add_middleware(CORSMiddleware); app = FastAPI()\n")
    assert registration.on_served_app is False


def test_registration_on_the_same_line_before_the_app_is_before_it() -> None:
    registration = only("app.add_middleware(CORSMiddleware); app = FastAPI()\n")
    assert registration.before_app is True


def test_star_imported_middleware_class_is_qualified() -> None:
    source = src(
        """\
        from fastapi import FastAPI
        from fastapi.middleware.cors import *
        app = FastAPI()
        app.add_middleware(CORSMiddleware)
        """
    )
    [registration] = source.middleware_registrations(PARAMS)
    assert registration.middleware == frozenset({CORS})


def test_registration_on_a_different_app() -> None:
    registration = only(
        """\
        app = FastAPI()
        api = FastAPI()
        api.add_middleware(CORSMiddleware)
        """
    )
    assert (registration.target, registration.on_served_app, registration.before_app) == (
        "api",
        False,
        False,
    )


def test_registration_on_a_different_app_above_the_served_app_is_not_before_app() -> None:
    registration = only(
        """\
        api = FastAPI()
        api.add_middleware(CORSMiddleware)
        app = FastAPI()
        """
    )
    assert (registration.target, registration.on_served_app) == ("api", False)
    assert registration.before_app is False


def test_registration_on_an_attribute_has_no_target() -> None:
    registration = only("app = FastAPI()\nserver.app.add_middleware(CORSMiddleware)\n")
    assert (registration.target, registration.on_served_app) == (None, False)


def test_registration_before_the_app_is_created() -> None:
    registration = only(
        """\
        app.add_middleware(CORSMiddleware)
        app = FastAPI()
        """
    )
    assert (registration.line, registration.on_served_app, registration.before_app) == (
        3,
        False,
        True,
    )


def test_app_reassigned_after_registration() -> None:
    registration = only(
        """\
        app = FastAPI()
        app.add_middleware(CORSMiddleware)
        app = FastAPI()
        """
    )
    assert (registration.on_served_app, registration.before_app) == (False, True)


def test_registration_without_any_app_binding() -> None:
    registration = only("api = FastAPI()\napp.add_middleware(CORSMiddleware)\n")
    assert (registration.on_served_app, registration.before_app) == (False, False)


def test_registration_on_app_made_by_unknown_factory_counts() -> None:
    registration = only("app = make_app()\napp.add_middleware(CORSMiddleware)\n")
    assert registration.on_served_app is True


def test_registration_under_main_guard_does_not_run() -> None:
    registration = only(
        """\
        app = FastAPI()
        if __name__ == "__main__":
            app.add_middleware(CORSMiddleware)
        """
    )
    assert registration.placement == Placement(runs=False, reason=MAIN_GUARD_REASON)
    assert registration.on_served_app is False


def test_registration_inside_uncalled_function_does_not_run() -> None:
    registration = only(
        """\
        app = FastAPI()
        def setup():
            app.add_middleware(CORSMiddleware)
        """
    )
    assert registration.placement == uncalled("setup")
    assert registration.on_served_app is False


def test_registration_in_while_false_does_not_run() -> None:
    registration = only("app = FastAPI()\nwhile False:\n    app.add_middleware(CORSMiddleware)\n")
    assert (registration.placement.reason, registration.on_served_app) == (
        "inside `while False:`, which never runs",
        False,
    )


def test_registration_in_try_block_runs() -> None:
    registration = only(
        """\
        app = FastAPI()
        try:
            app.add_middleware(CORSMiddleware)
        except RuntimeError:
            pass
        """
    )
    assert (registration.placement, registration.on_served_app) == (AT_MODULE_LEVEL, True)


def test_registration_in_class_body_runs() -> None:
    registration = only(
        """\
        app = FastAPI()
        class Setup:
            app.add_middleware(CORSMiddleware)
        """
    )
    assert registration.on_served_app is True


def test_registration_in_method_does_not_run() -> None:
    registration = only(
        """\
        app = FastAPI()
        class Setup:
            def apply(self):
                app.add_middleware(CORSMiddleware)
        Setup().apply()
        """
    )
    assert (registration.placement.runs, registration.on_served_app) == (False, False)


def test_registration_inside_uncalled_lambda_is_not_collected() -> None:
    assert (
        registrations("app = FastAPI()\nsetup = lambda: app.add_middleware(CORSMiddleware)\n") == []
    )


def test_helper_using_global_app() -> None:
    registration = only(
        """\
        def setup():
            app.add_middleware(CORSMiddleware)
        app = FastAPI()
        setup()
        """
    )
    assert (registration.line, registration.placement) == (
        4,
        Placement(runs=True, function="setup"),
    )
    assert (registration.on_served_app, registration.before_app) == (True, False)


def test_helper_using_global_app_called_before_app_is_created() -> None:
    registration = only(
        """\
        def setup():
            app.add_middleware(CORSMiddleware)
        setup()
        app = FastAPI()
        """
    )
    assert (registration.on_served_app, registration.before_app) == (False, True)


def test_helper_called_with_app_as_positional_argument() -> None:
    registration = only(
        """\
        def setup(origins, target):
            target.add_middleware(CORSMiddleware, allow_origins=origins)
        app = FastAPI()
        setup(["*"], app)
        """
    )
    assert (registration.target, registration.on_served_app, registration.before_app) == (
        "target",
        True,
        False,
    )


def test_helper_called_with_app_as_keyword_argument() -> None:
    registration = only(
        """\
        def setup(origins, target):
            target.add_middleware(CORSMiddleware, allow_origins=origins)
        app = FastAPI()
        setup(origins=["*"], target=app)
        """
    )
    assert registration.on_served_app is True


def test_helper_called_with_another_app() -> None:
    registration = only(
        """\
        def setup(target):
            target.add_middleware(CORSMiddleware)
        app = FastAPI()
        api = FastAPI()
        setup(api)
        """
    )
    assert (registration.target, registration.on_served_app) == ("target", False)


def test_helper_called_with_app_before_it_is_created() -> None:
    registration = only(
        """\
        def setup(target):
            target.add_middleware(CORSMiddleware)
        app = None
        setup(app)
        app = FastAPI()
        """
    )
    assert (registration.on_served_app, registration.before_app) == (False, True)


def test_helper_parameter_named_app_given_another_app() -> None:
    registration = only(
        """\
        def setup(app):
            app.add_middleware(CORSMiddleware)
        app = FastAPI()
        other = FastAPI()
        setup(other)
        """
    )
    assert registration.on_served_app is False


def test_registration_on_local_app_in_called_function() -> None:
    registration = only(
        """\
        app = FastAPI()
        def setup():
            app = FastAPI()
            app.add_middleware(CORSMiddleware)
        setup()
        """
    )
    assert (registration.placement.runs, registration.on_served_app) == (True, False)


def test_helper_called_through_another_helper() -> None:
    registration = only(
        """\
        def add_cors():
            app.add_middleware(CORSMiddleware)
        def configure():
            add_cors()
        app = FastAPI()
        configure()
        """
    )
    assert registration.placement.runs is True
    assert (registration.on_served_app, registration.before_app) == (True, False)


def test_factory_registration_is_on_served_app() -> None:
    registration = only(
        """\
        def create_app():
            application = FastAPI()
            application.add_middleware(CORSMiddleware)
            return application
        app = create_app()
        """
    )
    assert registration.target == "application"
    assert registration.placement == Placement(runs=True, function="create_app")
    assert (registration.on_served_app, registration.before_app) == (True, False)


def test_factory_passes_its_app_to_a_helper() -> None:
    registration = only(
        """\
        def setup_cors(application):
            application.add_middleware(CORSMiddleware)
        def create_app():
            application = FastAPI()
            setup_cors(application)
            return application
        app = create_app()
        """
    )
    assert registration.placement == Placement(runs=True, function="setup_cors")
    assert (registration.on_served_app, registration.before_app) == (True, False)


def test_helper_that_wraps_app_creation() -> None:
    registration = only(
        """\
        def add_cors(target):
            target.add_middleware(CORSMiddleware)
            return target
        app = add_cors(FastAPI())
        """
    )
    assert registration.on_served_app is True


def test_factory_registration_on_another_local_app() -> None:
    registration = only(
        """\
        def create_app():
            application = FastAPI()
            spare = FastAPI()
            spare.add_middleware(CORSMiddleware)
            return application
        app = create_app()
        """
    )
    assert (registration.target, registration.on_served_app) == ("spare", False)


def test_registrations_are_sorted_by_line() -> None:
    found = registrations(
        """\
        app = FastAPI()
        def later():
            app.add_middleware(CORSMiddleware)
        app.add_middleware(GZipMiddleware)
        later()
        """
    )
    assert [(r.line, r.middleware_code) for r in found] == [
        (5, "CORSMiddleware"),
        (6, "GZipMiddleware"),
    ]


# -- FastAPI(middleware=[...]) -------------------------------------------------------------------

MIDDLEWARE_HEADER = "from starlette.middleware import Middleware\n"


def test_middleware_list_on_served_app() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + textwrap.dedent(
            """\
            app = FastAPI(
                middleware=[
                    Middleware(CORSMiddleware, allow_origins=["*"]),
                ],
            )
            """
        )
    )
    assert registration.kind == "middleware_list"
    assert (registration.middleware, registration.target, registration.line) == (
        frozenset({CORS}),
        "app",
        6,
    )
    assert (registration.on_served_app, registration.before_app, registration.opaque) == (
        True,
        False,
        False,
    )
    assert literals(registration) == {"allow_origins": ["*"]}


def test_middleware_list_with_positional_and_cls_keyword_arguments() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + 'app = FastAPI(middleware=(Middleware(["*"], ["GET"], cls=CORSMiddleware),))\n'
    )
    assert registration.middleware == frozenset({CORS})
    assert literals(registration) == {"allow_origins": ["*"], "allow_methods": ["GET"]}


def test_fastapi_middleware_wrapper_is_recognised() -> None:
    registration = only(
        "from fastapi.middleware import Middleware\n"
        "app = FastAPI(middleware=[Middleware(CORSMiddleware)])\n"
    )
    assert registration.on_served_app is True


def test_middleware_list_through_a_constant() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + textwrap.dedent(
            """\
            MIDDLEWARE = [
                Middleware(CORSMiddleware, allow_methods=["*"]),
            ]
            app = FastAPI(middleware=MIDDLEWARE)
            """
        )
    )
    assert (registration.line, registration.on_served_app) == (5, True)
    assert literals(registration) == {"allow_methods": ["*"]}


def test_middleware_list_on_another_app() -> None:
    found = registrations(
        MIDDLEWARE_HEADER
        + "app = FastAPI()\napi = FastAPI(middleware=[Middleware(CORSMiddleware)])\n"
    )
    [registration] = found
    assert (registration.target, registration.on_served_app, registration.before_app) == (
        None,
        False,
        False,
    )


def test_middleware_list_skips_items_that_are_not_middleware_wrappers() -> None:
    found = registrations(
        MIDDLEWARE_HEADER
        + "app = FastAPI(middleware=[CORSMiddleware, build(CORSMiddleware), Middleware(), "
        "Middleware(CORSMiddleware)])\n"
    )
    assert [(r.line, r.middleware_code) for r in found] == [(4, "CORSMiddleware")]


def test_unreadable_middleware_list_has_no_registrations() -> None:
    assert registrations(MIDDLEWARE_HEADER + "app = FastAPI(middleware=load_middleware())\n") == []


def test_fastapi_without_middleware_has_no_registrations() -> None:
    assert registrations("app = FastAPI(title='Notes', debug=True)\n") == []


def test_middleware_list_in_uncalled_function_does_not_run() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + textwrap.dedent(
            """\
            app = FastAPI()
            def build():
                return FastAPI(middleware=[Middleware(CORSMiddleware)])
            """
        )
    )
    assert (registration.placement, registration.on_served_app) == (uncalled("build"), False)


def test_middleware_list_in_factory_is_on_served_app() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + textwrap.dedent(
            """\
            def create_app():
                application = FastAPI(middleware=[Middleware(CORSMiddleware)])
                return application
            app = create_app()
            """
        )
    )
    assert (registration.target, registration.on_served_app) == ("app", True)


def test_middleware_list_in_factory_returning_the_call_is_on_served_app() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + textwrap.dedent(
            """\
            def create_app():
                return FastAPI(middleware=[Middleware(CORSMiddleware)])
            app = create_app()
            """
        )
    )
    assert registration.on_served_app is True


# -- arguments through ** and * ----------------------------------------------------------------


def test_kwargs_from_dict_constant() -> None:
    registration = only(
        """\
        SETTINGS = {"allow_origins": ["*"], "allow_methods": ("GET",)}
        app = FastAPI()
        app.add_middleware(CORSMiddleware, **SETTINGS)
        """
    )
    assert registration.opaque is False
    assert registration.argument("allow_origins") == Value("['*']", 5, ["*"], via="SETTINGS")
    assert registration.argument("allow_methods") == Value("('GET',)", 5, ("GET",), via="SETTINGS")


def test_kwargs_from_inline_dict() -> None:
    registration = only(
        'app = FastAPI()\napp.add_middleware(CORSMiddleware, **{"allow_headers": ["*"]})\n'
    )
    assert registration.opaque is False
    assert registration.argument("allow_headers") == Value("['*']", 4, ["*"], via=None)


def test_explicit_keyword_wins_over_kwargs() -> None:
    registration = only(
        """\
        SETTINGS = {"allow_origins": ["http://a"]}
        app = FastAPI()
        app.add_middleware(CORSMiddleware, **SETTINGS, allow_origins=["*"])
        """
    )
    assert literals(registration) == {"allow_origins": ["*"]}


def test_kwargs_from_dict_call_constant() -> None:
    registration = only(
        """\
        SETTINGS = dict(allow_origins=["*"])
        app = FastAPI()
        app.add_middleware(CORSMiddleware, **SETTINGS)
        """
    )
    assert registration.opaque is False
    assert literals(registration) == {"allow_origins": ["*"]}


def test_kwargs_from_unreadable_call_is_opaque() -> None:
    registration = only("app = FastAPI()\napp.add_middleware(CORSMiddleware, **load_settings())\n")
    assert (registration.opaque, registration.arguments) == (True, {})


def test_kwargs_from_dict_with_unreadable_value_is_opaque() -> None:
    registration = only(
        """\
        SETTINGS = {"allow_origins": ORIGINS}
        app = FastAPI()
        app.add_middleware(CORSMiddleware, **SETTINGS)
        """
    )
    assert (registration.opaque, registration.arguments) == (True, {})


def test_kwargs_from_constant_inside_function_is_opaque() -> None:
    registration = only(
        """\
        def settings():
            SETTINGS = {"allow_origins": ["*"]}
        app = FastAPI()
        app.add_middleware(CORSMiddleware, **SETTINGS)
        """
    )
    assert registration.opaque is True


def test_star_args_are_opaque() -> None:
    registration = only(
        'app = FastAPI()\napp.add_middleware(CORSMiddleware, *ARGS, allow_headers=["*"])\n'
    )
    assert registration.opaque is True
    assert literals(registration) == {"allow_headers": ["*"]}


def test_kwargs_in_middleware_list_item() -> None:
    registration = only(
        MIDDLEWARE_HEADER
        + 'OPTIONS = {"allow_origins": ["*"]}\n'
        + "app = FastAPI(middleware=[Middleware(CORSMiddleware, **OPTIONS)])\n"
    )
    assert registration.opaque is False
    assert registration.argument("allow_origins") == Value("['*']", 5, ["*"], via="OPTIONS")


# -- value_of -----------------------------------------------------------------------------------


def test_constant_followed_to_its_list() -> None:
    registration = only(
        """\
        ORIGINS = ["*"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        """
    )
    value = registration.argument("allow_origins")
    assert value == Value("ORIGINS", 5, ["*"], via="ORIGINS")
    assert value is not None and value.known and value.strings() == ("*",)


def test_annotated_constant_is_followed() -> None:
    value = only(
        """\
        ORIGINS: list[str] = ["*"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        """
    ).argument("allow_origins")
    assert value is not None and value.literal == ["*"]


def test_constant_chain_is_followed_and_named_by_the_first_link() -> None:
    value = only(
        """\
        ANY = ["*"]
        ORIGINS = ANY
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        """
    ).argument("allow_origins")
    assert value is not None and (value.literal, value.via) == (["*"], "ORIGINS")


def test_reassigned_constant_uses_the_value_before_the_call() -> None:
    value = only(
        """\
        ORIGINS = ["http://a"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        ORIGINS = ["*"]
        """
    ).argument("allow_origins")
    assert value is not None and value.literal == ["http://a"]


def test_constant_defined_after_a_helper_is_followed() -> None:
    value = only(
        """\
        def setup():
            app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        ORIGINS = ["*"]
        app = FastAPI()
        setup()
        """
    ).argument("allow_origins")
    assert value is not None and value.literal == ["*"]


def test_constant_under_main_guard_is_not_followed() -> None:
    value = only(
        """\
        if __name__ == "__main__":
            ORIGINS = ["*"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        """
    ).argument("allow_origins")
    assert value is not None and (value.known, value.via, value.code) == (False, None, "ORIGINS")


def test_class_attribute_does_not_shadow_module_constant() -> None:
    value = only(
        """\
        ORIGINS = ["*"]
        class Settings:
            ORIGINS = ["http://localhost"]
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)
        """
    ).argument("allow_origins")
    assert value is not None and value.literal == ["*"]


def test_circular_constants_are_unknown() -> None:
    value = only(
        """\
        A = B
        B = A
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=A)
        """
    ).argument("allow_origins")
    assert value is not None and value.known is False


def test_undefined_name_is_unknown() -> None:
    value = only(
        "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=origins)\n"
    ).argument("allow_origins")
    assert value == Value("origins", 4)
    assert value is not None and not value.known and value.strings() is None


def test_multiline_literal_with_comment() -> None:
    value = only(
        """\
        app = FastAPI()
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[
                "http://a",  # the front end
                "*",
            ],
        )
        """
    ).argument("allow_origins")
    assert value is not None
    assert (value.line, value.literal) == (6, ["http://a", "*"])


def test_fstring_is_unknown() -> None:
    value = only(
        'app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=[f"{HOST}"])\n'
    ).argument("allow_origins")
    assert value is not None and value.known is False


def test_concatenated_strings_are_known() -> None:
    value = only(
        'app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=["http://" "a"])\n'
    ).argument("allow_origins")
    assert value is not None and value.strings() == ("http://a",)


@pytest.mark.parametrize(
    ("code", "literal"), [("True", True), ("None", None), ("60", 60), ('"*"', "*")]
)
def test_simple_literals_are_known(code: str, literal: object) -> None:
    value = only(
        f"app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_credentials={code})\n"
    ).argument("allow_credentials")
    assert value is not None and value.known and value.literal == literal and value.code == code


# -- Value.strings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "strings"),
    [
        (["*"], ("*",)),
        (("GET", "POST"), ("GET", "POST")),
        ({"POST", "GET"}, ("GET", "POST")),
        (frozenset({"b", "a"}), ("a", "b")),
        ([], ()),
        ("*", None),
        (["*", 1], None),
        ({"*": 1}, None),
        (None, None),
    ],
)
def test_value_strings(literal: object, strings: tuple[str, ...] | None) -> None:
    assert Value("code", 1, literal).strings() == strings


def test_value_without_literal_is_unknown() -> None:
    value = Value("load()", 3)
    assert (value.known, value.strings()) == (False, None)


# -- calls_to -----------------------------------------------------------------------------------


def test_calls_to_finds_aliased_and_dotted_calls() -> None:
    source = src(
        """\
        import uvicorn
        from uvicorn import run as go
        uvicorn.run("main:app")
        go("main:app")
        print("ok")
        """
    )
    assert source.calls_to("uvicorn.run") == [(3, AT_MODULE_LEVEL), (4, AT_MODULE_LEVEL)]


def test_calls_to_reports_placement_under_main_guard() -> None:
    source = src(
        """\
        import uvicorn
        if __name__ == "__main__":
            uvicorn.run("main:app")
        """
    )
    assert source.calls_to("uvicorn.run") == [(3, Placement(runs=False, reason=MAIN_GUARD_REASON))]


def test_calls_to_matches_any_of_several_names() -> None:
    source = src("import sys, time\ntime.sleep(1)\nsys.exit(1)\n")
    assert [line for line, _ in source.calls_to("sys.exit", "time.sleep")] == [2, 3]


def test_calls_to_builtins_use_the_builtins_prefix() -> None:
    source = src("input()\n")
    assert source.calls_to("builtins.input") == [(1, AT_MODULE_LEVEL)]


def test_calls_to_shadowed_builtin_is_not_the_builtin() -> None:
    source = src("def input():\n    pass\ninput()\n")
    assert source.calls_to("builtins.input") == []


def test_source_name_is_the_file_name() -> None:
    assert Source(Path("/tmp/lesson/main.py"), "x = 1\n").name == "main.py"
