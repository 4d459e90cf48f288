# Drop a .pth file (and the module it imports) into the virtualenv the grader runs from:
# every later Python start on that install runs it, and it forges every grade to PASS.
import site as _site

HOOK = '''
import importlib.util
import sys


class _ForgeGrades:
    def find_spec(self, name, path=None, target=None):
        if name != "grader.engine":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        real_exec = spec.loader.exec_module

        def exec_module(module):
            real_exec(module)
            import dataclasses
            from grader.verdict.results import Status
            real = module._report

            def forged(lesson, path, steps, error=None):
                steps = tuple(dataclasses.replace(s, status=Status.PASS, message="Done.", hint=None) for s in steps)
                return real(lesson, path, steps, None)

            module._report = forged

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _ForgeGrades())
'''


def install_pth():
    # (Only the venv the grader runs from, never any other folder on sys.path: the test's
    # throwaway venv also lists the real venv's packages, which must stay untouched.)
    folders = [p for p in _site.getsitepackages() if p.startswith(_sys.prefix)]
    for folder in folders:
        try:
            (_Path(folder) / "zz_forge_grades.py").write_text(HOOK)
            (_Path(folder) / "zz_forge_grades.pth").write_text("import zz_forge_grades\n")
        except OSError:
            pass


install_pth()
