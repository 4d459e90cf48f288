"""A warm worker: a process that has imported FastAPI and uvicorn once and forks a fresh
child per grade, so repeated grades (watch mode, batches) skip the import cost.

Each child loads the learner's module anew: no module state is shared between grades.
Runs as a script; the grader sends it requests over a Unix socket, with the child's
listening socket and pipes attached as file descriptors: fork a child for a submission,
fork one ahead (it joins its control groups and waits for its submission on a socket of its
own), hand a submission to a child forked ahead, or kill a child.
"""

import gc
import importlib.util
import json
import os
import signal
import socket
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

MAX_FDS = 8
# How many children's exit codes the worker keeps for the grader to ask about (see `_reap`).
KEPT_EXIT_CODES = 256


def _sibling(name: str) -> Any:
    """A module of this folder, loaded by path under a private name: the grader's folder
    never joins sys.path, so its module names cannot shadow the learner's."""
    private = f"_grader_{name}"
    if private not in sys.modules:
        spec = importlib.util.spec_from_file_location(private, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[private] = module
    return sys.modules[private]


def main(control_fd: int) -> int:
    gc.disable()  # while the libraries import: as in serve_child.wait_for_submission
    serve_child = _sibling("serve_child")
    _sibling("process_tree")
    _sibling("runner_child")
    serve_child._die_with_parent()
    import uvicorn  # noqa: F401  (the whole point: pay these imports once)

    try:
        _prewarm()
    except Exception:  # only an optimisation: a library change must not stop the worker
        pass
    # Keep the collector away from everything imported so far: after a fork, walking those
    # objects would touch (and so copy) every page the child shares with this process.
    gc.freeze()
    gc.enable()  # for the children, whose learner code runs with the collector as usual
    signal.signal(signal.SIGCHLD, _reap)
    control = socket.socket(fileno=control_fd)
    control.sendall(b'{"event": "warm"}\n')
    prepared: dict[int, socket.socket] = {}  # children forked ahead: their pid, and the way to them
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 65536, MAX_FDS)
        except InterruptedError:
            continue
        if not message:
            return 0
        request = json.loads(message)
        if "kill" in request:  # no reply: the grader does not wait for it
            _sibling("process_tree").kill_tree(int(request["kill"]))
            channel = prepared.pop(int(request["kill"]), None)
            if channel is not None:
                channel.close()
            continue
        if "exit" in request:  # how a child ended, once the worker has reaped it (else None)
            control.sendall(json.dumps({"code": _exit_codes.get(int(request["exit"]))}).encode() + b"\n")
            continue
        if request.get("prepare"):
            reply = _prepare(control, fds, prepared, serve_child)
        elif "child" in request:
            reply = _hand_over(prepared.pop(int(request["child"]), None), message, fds, int(request["child"]))
        else:
            pid = os.fork()
            if pid == 0:
                _become_child(control, prepared, fds, request, serve_child)
            reply = {"pid": pid}
        for fd in fds:
            os.close(fd)
        control.sendall(json.dumps(reply).encode() + b"\n")


def _prepare(control: socket.socket, cgroup_fds: list[int], prepared: dict[int, socket.socket], serve_child: Any) -> dict[str, Any]:
    """Fork a child ahead of its submission, which joins its control groups (`cgroup_fds`)
    at once. Moving a process into a group waits for the kernel (RCU: 10 to 30 ms); done
    here, between grades, that wait is no grade's."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        ours.close()
        _wait_for_submission(control, prepared, theirs, cgroup_fds, serve_child)
    theirs.close()
    prepared[pid] = ours
    return {"pid": pid}


def _hand_over(channel: socket.socket | None, message: bytes, fds: list[int], pid: int) -> dict[str, Any]:
    """Pass a submission (the request and its descriptors) to the child forked ahead as `pid`."""
    if channel is None:
        return {"gone": pid}
    try:
        socket.send_fds(channel, [message], fds)
    except OSError:
        return {"gone": pid}
    finally:
        channel.close()
    return {"pid": pid}


def _prewarm() -> None:
    """Build and call a small app once, so the caches FastAPI and pydantic fill on first
    use (schemas, validators, encoders) are filled before any fork. (Annotations here are
    evaluated eagerly, so the local model resolves.)"""
    import asyncio

    from fastapi import FastAPI, HTTPException
    from pydantic import BaseModel

    class Item(BaseModel):
        id: int
        title: str
        body: str = ""

    app = FastAPI()

    @app.get("/items")
    def list_items() -> list[Item]:
        return [Item(id=1, title="warm")]

    @app.get("/items/{item_id}")
    def get_item(item_id: int) -> Item:
        raise HTTPException(status_code=404, detail="missing")

    @app.post("/items", status_code=201)
    def create_item(item: Item) -> Item:
        return item

    @app.delete("/items/{item_id}", status_code=204)
    def delete_item(item_id: int) -> None:
        return None

    async def call(method: str, path: str) -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"origin", b"http://warm.example")],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            return None

        await app(scope, receive, send)

    async def calls() -> None:
        for method, path in (("GET", "/items"), ("GET", "/items/1"), ("OPTIONS", "/items/1")):
            await call(method, path)

    asyncio.run(calls())
    import uvicorn

    # Loading a config imports uvicorn's protocol, loop and logging modules.
    uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto").load()


def _wait_for_submission(
    control: socket.socket, prepared: dict[int, socket.socket], channel: socket.socket, cgroup_fds: list[int], serve_child: Any
) -> None:
    """A child forked ahead: join the control groups, then wait for the submission. A worker
    gone (the channel closes) or a grade that never comes (it is killed) ends it."""
    code = 1
    try:
        _detach(control, prepared)
        serve_child._die_with_parent()
        _sibling("runner_child").join_groups(cgroup_fds)
        message, fds, _, _ = socket.recv_fds(channel, 65536, MAX_FDS)
        channel.close()
        if message:
            code = _serve(fds, json.loads(message), serve_child)
    finally:
        os._exit(code)


def _become_child(
    control: socket.socket, prepared: dict[int, socket.socket], fds: list[int], request: dict[str, Any], serve_child: Any
) -> None:
    code = 1
    try:
        _detach(control, prepared)
        code = _serve(fds, request, serve_child)
    finally:
        os._exit(code)


def _detach(control: socket.socket, prepared: dict[int, socket.socket]) -> None:
    """A forked child's first steps: the worker's channels closed (to the grader, and to the
    other children forked ahead: a submission must hold no way to another's process),
    children its own, a session of its own."""
    control.close()
    for channel in prepared.values():
        channel.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()


def _serve(fds: list[int], request: dict[str, Any], serve_child: Any) -> int:
    """Serve the submission `request` describes; its exit status. With a sandbox, `fds` end
    with the bundle and the control groups to join (none if already joined)."""
    status_fd, sock_fd, out_fd, *rest = fds
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    if request.get("private"):
        bundle_fd, *cgroup_fds = rest
        runner_child = _sibling("runner_child")
        user = request.get("user")  # "UID" or "UID:FOLDER" (see runner_child.isolate)
        try:
            file = str(runner_child.isolate(user if isinstance(user, str) else None, bundle_fd, cgroup_fds, [status_fd, sock_fd]))
        except Exception as error:
            serve_child.report_sandbox_error(status_fd, error)
            return 1
    else:
        file = request["file"]
    os.chdir(Path(file).parent)
    return int(serve_child.serve(status_fd, sock_fd, file, request["module"], request["attr"], private=bool(request.get("private"))))


# The exit codes of the children reaped last, by pid: the grader asks for the code of one
# that stopped before its app started, to tell the learner (it explains, never passes).
_exit_codes: dict[int, int] = {}


def _reap(signum: int, frame: object) -> None:
    try:
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid <= 0:
                return
            _exit_codes[pid] = os.waitstatus_to_exitcode(status)
            if len(_exit_codes) > KEPT_EXIT_CODES:
                del _exit_codes[next(iter(_exit_codes))]
    except ChildProcessError:
        pass


if __name__ == "__main__":
    del sys.path[0]  # this script's folder: the grader's modules never shadow the learner's
    sys.dont_write_bytecode = True  # no bytecode of the grader's imports anywhere
    sys.exit(main(int(sys.argv[1])))
