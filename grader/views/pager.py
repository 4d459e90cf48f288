"""The pager for long text on a terminal, set up as git sets up its own: colour only where
the pager shows colour, plain text everywhere else (never raw escape codes on screen)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass

from rich.pager import Pager

# git's defaults: quit when the text fits one screen, show colours, leave the text on screen.
LESS_DEFAULT = "FRX"
# A pager waits for the learner; this only ends one forgotten in a terminal.
PAGER_LIMIT_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class PagerCommand:
    argv: tuple[str, ...]
    env: dict[str, str]
    colour: bool  # whether this pager shows ANSI colours (less with -R) or prints them raw


def pager_command(environ: dict[str, str] | None = None) -> PagerCommand | None:
    """The learner's $PAGER (or less, or more), with LESS set as git sets it when unset;
    None when no pager is installed."""
    environ = dict(os.environ if environ is None else environ)
    wanted = environ.get("PAGER", "").strip()
    argv = shlex.split(wanted) if wanted else next(([name] for name in ("less", "more") if shutil.which(name)), [])
    if not argv or shutil.which(argv[0]) is None:
        return None
    program = os.path.basename(argv[0])
    colour = False
    if program == "less":
        environ.setdefault("LESS", LESS_DEFAULT)
        colour = _raw_colours(environ["LESS"]) or any(_raw_colours(arg) for arg in argv[1:] if arg.startswith("-"))
    environ.setdefault("LV", "-c")  # lv, another pager, shows colours with -c
    return PagerCommand(tuple(argv), environ, colour or program == "lv")


def _raw_colours(options: str) -> bool:
    """Whether less options (`FRX`, `-R -i`, `--RAW-CONTROL-CHARS`) let colour codes through."""
    for word in options.split():
        if word.lower() in {"--raw-control-chars", "--raw-control-characters"}:
            return True
        if not word.startswith("--") and ("R" in word or "r" in word):
            return True
    return False


class LearnerPager(Pager):
    """Rich's pager interface over `PagerCommand`; without a pager the text is printed."""

    def __init__(self, command: PagerCommand | None) -> None:
        self.command = command

    def show(self, content: str) -> None:
        if self.command is None:
            print(content, end="", flush=True)
            return
        process = subprocess.Popen(
            list(self.command.argv), stdin=subprocess.PIPE, env=self.command.env, text=True, errors="replace"
        )
        try:
            assert process.stdin is not None
            try:
                process.stdin.write(content)
                process.stdin.close()
            except BrokenPipeError:  # the learner quit before reading it all
                pass
            process.wait(timeout=PAGER_LIMIT_SECONDS)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            pass
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
