"""A throwaway install of the grader: a copy of the course and a virtualenv of its own, so a
test can let a submission tamper with them (or tamper itself) and never touch the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT, Run

COPIED = ("grader", "lessons", "exercise", "solution", "pyproject.toml")


@dataclass(frozen=True)
class Install:
    course: Path  # holds grader/, lessons/, exercise/, solution/
    venv: Path
    manifest: Path  # where --check-install --record writes (outside both)

    @property
    def site_packages(self) -> Path:
        return self.venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"

    @property
    def grade(self) -> Path:
        return self.venv / "bin" / "grade"

    def run(self, *args: str | Path, timeout: float = 120) -> Run:
        """The copy's `grade`, from the course copy, with its own manifest location."""
        env = {**os.environ, "GRADER_MANIFEST": str(self.manifest)}
        env.pop("GRADER_COURSE", None)
        done = subprocess.run(
            [str(self.grade), *map(str, args)],
            cwd=self.course,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Run(done.returncode, done.stdout, done.stderr)


def make_install(folder: Path, course_name: str = "course", seen_at: Path | None = None) -> Install:
    """The course copied to `folder/course_name`, and a virtualenv at `course_name/.venv` (as
    the docs install it) whose site-packages has the copy's grader first, then this test
    environment's packages (read through a path line, so none of them is copied).
    `seen_at`: where the course will be mounted when it runs (in a sandbox), if elsewhere."""
    course = folder / course_name
    shown = seen_at or course
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, course / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            course.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, course / name)
    venv = course / ".venv"
    base_python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run([str(base_python), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    install = Install(course, venv, folder / "manifest.json")
    # The path line names the course copy first, so `import grader` finds the copy.
    (install.site_packages / "grader-copy.pth").write_text(f"{shown}\n{sysconfig.get_paths()['purelib']}\n")
    install.grade.write_text(f"#!{shown}/.venv/bin/python\nfrom grader.launch import main\n\nmain()\n")
    install.grade.chmod(0o755)
    return install
