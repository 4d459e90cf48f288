"""Unit tests for grader.static.placement: which statements run when uvicorn imports the module."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from grader.static.placement import AT_MODULE_LEVEL, MAIN_GUARD_REASON, ModuleLayout, Placement, lay_out


def layout_of(text: str) -> ModuleLayout:
    return lay_out(cst.parse_module(textwrap.dedent(text)))


def call_places(text: str) -> dict[str, Placement]:
    """Placement of each call to a plain name (`mark()`), keyed by that name (names are unique)."""
    places: dict[str, Placement] = {}
    for call, place in layout_of(text).calls:
        if isinstance(call.func, cst.Name):
            assert call.func.value not in places, f"{call.func.value} called twice"
            places[call.func.value] = place
    return places


def place_of(text: str, name: str = "mark") -> Placement:
    return call_places(text)[name]


def never(reason: str, function: str | None = None) -> Placement:
    return Placement(runs=False, reason=reason, function=function)


# -- module level and `if` ------------------------------------------------------------


def test_module_level_call_runs() -> None:
    assert place_of("mark()\n") == AT_MODULE_LEVEL


def test_main_guard_reason() -> None:
    text = """\
        if __name__ == "__main__":
            mark()
    """
    assert place_of(text) == never(MAIN_GUARD_REASON)


def test_main_guard_written_the_other_way_round() -> None:
    text = """\
        if '__main__' == __name__:
            mark()
    """
    assert place_of(text) == never(MAIN_GUARD_REASON)


def test_not_equal_main_test_is_not_a_guard() -> None:
    text = """\
        if __name__ != "__main__":
            mark()
    """
    assert place_of(text) == AT_MODULE_LEVEL


def test_else_of_main_guard_runs() -> None:
    text = """\
        if __name__ == "__main__":
            guarded()
        else:
            mark()
    """
    places = call_places(text)
    assert places["mark"] == AT_MODULE_LEVEL
    assert places["guarded"] == never(MAIN_GUARD_REASON)


def test_comparison_with_another_string_is_not_a_guard() -> None:
    text = """\
        if __name__ == "main":
            mark()
    """
    assert place_of(text) == AT_MODULE_LEVEL


def test_main_guard_combined_with_and_never_runs() -> None:
    text = """\
        if __name__ == "__main__" and DEBUG:
            mark()
    """
    assert place_of(text).runs is False


def test_if_false_reason() -> None:
    text = """\
        if False:
            mark()
    """
    assert place_of(text) == never("inside `if False:`, which never runs")


@pytest.mark.parametrize("test", ["0", "None", '""', "not True", "not 1"])
def test_constant_false_tests_never_run(test: str) -> None:
    assert place_of(f"if {test}:\n    mark()\n") == never(f"inside `if {test}:`, which never runs")


@pytest.mark.parametrize("test", ["True", "1", '"yes"', "not False", "not None"])
def test_constant_true_tests_run(test: str) -> None:
    assert place_of(f"if {test}:\n    mark()\n") == AT_MODULE_LEVEL


def test_if_on_false_module_constant_never_runs() -> None:
    text = """\
        DEBUG = False
        if DEBUG:
            mark()
    """
    place = place_of(text)
    assert place.runs is False
    assert place.reason is not None and "DEBUG" in place.reason


def test_else_of_if_true_never_runs() -> None:
    text = """\
        if True:
            body()
        else:
            mark()
    """
    places = call_places(text)
    assert places["body"] == AT_MODULE_LEVEL
    assert places["mark"] == never("in the `else` of `if True:`, which never runs")


def test_elif_chain() -> None:
    text = """\
        if False:
            first()
        elif settings():
            second()
        elif 0:
            third()
        else:
            fourth()
    """
    places = call_places(text)
    assert places["first"] == never("inside `if False:`, which never runs")
    assert places["settings"] == AT_MODULE_LEVEL  # the elif's test itself is evaluated
    assert places["second"] == AT_MODULE_LEVEL
    assert places["third"] == never("inside `if 0:`, which never runs")
    assert places["fourth"] == AT_MODULE_LEVEL


def test_elif_after_if_true_never_runs() -> None:
    text = """\
        if True:
            first()
        elif other():
            second()
    """
    places = call_places(text)
    assert places["other"] == never("in the `else` of `if True:`, which never runs")
    assert places["second"] == never("in the `else` of `if True:`, which never runs")


def test_unknown_condition_runs_both_branches() -> None:
    text = """\
        if DEBUG:
            first()
        else:
            second()
    """
    places = call_places(text)
    assert places["first"] == AT_MODULE_LEVEL
    assert places["second"] == AT_MODULE_LEVEL


def test_if_test_expression_runs_even_when_false_body_does_not() -> None:
    text = """\
        if not mark():
            pass
    """
    assert place_of(text) == AT_MODULE_LEVEL


def test_nested_never_keeps_outermost_reason() -> None:
    text = """\
        if __name__ == "__main__":
            if False:
                mark()
    """
    assert place_of(text) == never(MAIN_GUARD_REASON)


# -- loops, try, with -----------------------------------------------------------------------


def test_while_false_body_never_runs() -> None:
    text = """\
        while False:
            mark()
    """
    assert place_of(text) == never("inside `while False:`, which never runs")


def test_while_zero_body_never_runs() -> None:
    assert place_of("while 0:\n    mark()\n") == never("inside `while 0:`, which never runs")


def test_else_of_while_false_runs() -> None:
    text = """\
        while False:
            pass
        else:
            mark()
    """
    assert call_places(text).get("mark") == AT_MODULE_LEVEL


def test_while_true_body_runs() -> None:
    text = """\
        while True:
            mark()
            break
    """
    assert place_of(text) == AT_MODULE_LEVEL


def test_for_loop_header_and_body_run() -> None:
    text = """\
        for item in items():
            mark()
        else:
            after()
    """
    places = call_places(text)
    assert places == {"items": AT_MODULE_LEVEL, "mark": AT_MODULE_LEVEL, "after": AT_MODULE_LEVEL}


def test_with_header_and_body_run() -> None:
    text = """\
        with opened() as handle:
            mark()
    """
    assert call_places(text) == {"opened": AT_MODULE_LEVEL, "mark": AT_MODULE_LEVEL}


def test_try_except_import_runs() -> None:
    text = """\
        try:
            from fastapi.middleware.cors import CORSMiddleware
        except ImportError:
            from starlette.middleware.cors import CORSMiddleware
        else:
            done()
        finally:
            cleanup()
    """
    layout = layout_of(text)
    assert [place for _, place in layout.imports] == [AT_MODULE_LEVEL, AT_MODULE_LEVEL]
    assert [cst.Module([]).code_for_node(node.module) for node, _ in layout.imports] == [
        "fastapi.middleware.cors",
        "starlette.middleware.cors",
    ]
    assert call_places(text) == {"done": AT_MODULE_LEVEL, "cleanup": AT_MODULE_LEVEL}


def test_import_under_if_false_is_recorded_as_not_running() -> None:
    text = """\
        if False:
            import uvicorn
    """
    [(node, place)] = layout_of(text).imports
    assert isinstance(node, cst.Import)
    assert place == never("inside `if False:`, which never runs")


# -- functions --------------------------------------------------------------------------------


def test_uncalled_function_reason() -> None:
    text = """\
        def setup():
            mark()
    """
    assert place_of(text) == never(
        "inside the function `setup()`, which nothing calls when the file loads", function="setup"
    )


def test_called_function_runs_and_names_the_function() -> None:
    text = """\
        def setup():
            mark()
        setup()
    """
    assert place_of(text) == Placement(runs=True, function="setup")


def test_function_called_only_under_main_guard_does_not_run() -> None:
    text = """\
        def setup():
            mark()
        if __name__ == "__main__":
            setup()
    """
    assert place_of(text) == never(
        "inside the function `setup()`, which nothing calls when the file loads", function="setup"
    )


def test_function_called_through_a_chain_runs() -> None:
    text = """\
        def inner():
            mark()
        def middle():
            inner()
        def outer():
            middle()
        outer()
    """
    assert place_of(text) == Placement(runs=True, function="inner")


def test_function_called_only_from_uncalled_function_does_not_run() -> None:
    text = """\
        def inner():
            mark()
        def outer():
            inner()
    """
    assert place_of(text).runs is False


def test_function_defined_under_main_guard_keeps_guard_reason() -> None:
    text = """\
        if __name__ == "__main__":
            def setup():
                mark()
            setup()
    """
    assert place_of(text) == never(MAIN_GUARD_REASON, function="setup")


def test_decorator_call_runs_at_definition() -> None:
    text = """\
        @route("/notes")
        def notes():
            mark()
    """
    places = call_places(text)
    assert places["route"] == AT_MODULE_LEVEL
    assert places["mark"].runs is False


def test_lambda_body_is_not_collected() -> None:
    text = """\
        handler = lambda: mark()
        other()
    """
    assert call_places(text) == {"other": AT_MODULE_LEVEL}


def test_nested_function_in_called_function_not_called_does_not_run() -> None:
    text = """\
        def outer():
            def inner():
                mark()
        outer()
    """
    assert place_of(text) == never(
        "inside the function `inner()`, which nothing calls when the file loads", function="inner"
    )


def test_nested_function_of_uncalled_function_keeps_outer_reason() -> None:
    text = """\
        def outer():
            def inner():
                mark()
            inner()
    """
    assert (
        place_of(text).reason
        == "inside the function `outer()`, which nothing calls when the file loads"
    )


@pytest.mark.xfail(strict=True, reason="known limitation: nested functions never count as called")
def test_nested_function_called_by_called_function_runs() -> None:
    text = """\
        def create_app():
            def setup():
                mark()
            setup()
        create_app()
    """
    assert place_of(text).runs is True


def test_async_function_called_without_await_does_not_run() -> None:
    text = """\
        async def setup():
            mark()
        setup()
    """
    assert place_of(text).runs is False


def test_uncalled_async_function_does_not_run() -> None:
    text = """\
        async def startup():
            mark()
    """
    assert place_of(text) == never(
        "inside the function `startup()`, which nothing calls when the file loads",
        function="startup",
    )


def test_method_call_does_not_mark_module_function_called() -> None:
    text = """\
        def setup():
            mark()
        config.setup()
    """
    assert place_of(text).runs is False


# -- classes ------------------------------------------------------------------------------------


def test_class_body_runs_at_import() -> None:
    text = """\
        class Settings:
            mark()
    """
    place = place_of(text)
    assert (place.runs, place.reason, place.function, place.in_class) == (True, None, None, True)


def test_method_body_does_not_run() -> None:
    text = """\
        class Settings:
            def load(self):
                mark()
    """
    assert place_of(text).runs is False


# -- what the layout records --------------------------------------------------------------------


def test_functions_are_recorded_only_at_module_level() -> None:
    layout = layout_of(
        """\
        def outer():
            def inner():
                pass
        if False:
            def hidden():
                pass
        try:
            def tried():
                pass
        except Exception:
            pass
        """
    )
    assert sorted(layout.functions) == ["outer", "tried"]


def test_returns_are_collected_per_function() -> None:
    layout = layout_of(
        """\
        def create_app():
            application = make()
            if DEBUG:
                return other
            return application
        def nothing():
            return
        """
    )
    code = cst.Module([]).code_for_node
    assert {name: [code(r) for r in returned] for name, returned in layout.returns.items()} == {
        "create_app": ["other", "application"]
    }


def test_assignments_record_name_targets() -> None:
    layout = layout_of(
        """\
        a = b = 1
        c: int = 2
        d: int
        e, f = 3, 4
        obj.attr = 5
        """
    )
    assert [target for target, _, _, _ in layout.assignments] == ["a", "b", "c", "e", "f"]


def test_assignment_inside_function_records_the_function() -> None:
    layout = layout_of(
        """\
        def build():
            app = make()
        build()
        """
    )
    [(target, _, place, _)] = layout.assignments
    assert (target, place) == ("app", Placement(runs=True, function="build"))


def test_called_set_holds_functions_called_at_import() -> None:
    layout = layout_of(
        """\
        def a():
            b()
        def b():
            pass
        def c():
            pass
        a()
        """
    )
    assert layout.called == {"a", "b"}


def test_coroutine_function_run_by_asyncio_runs() -> None:
    text = """\
        import asyncio
        async def setup():
            mark()
        asyncio.run(setup())
    """
    place = place_of(text)
    assert (place.runs, place.function) == (True, "setup")
