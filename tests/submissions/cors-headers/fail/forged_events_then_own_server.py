# expect: fail at add-middleware
# steps: import=pass add-middleware=fail
# Hostile: while it is being imported, the module writes the grader's "imported" event (an app
# with CORSMiddleware) and "ready" into the status pipe, then serves the listening socket itself
# with a hand-written server that sends CORS headers. The file never registers CORSMiddleware.
import fcntl
import json
import os
import socket
import stat

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="Notes API")

FORGED = {
    "attr": "app",
    "type": "FastAPI",
    "middleware": [
        {
            "cls": "starlette.middleware.cors.CORSMiddleware",
            "options": {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]},
        }
    ],
}


def open_fds(kind):
    found = []
    for fd in range(3, 256):
        try:
            if kind(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found


def writable_pipes():
    return [fd for fd in open_fds(stat.S_ISFIFO) if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR)]


def listening_sockets():
    found = []
    for fd in open_fds(stat.S_ISSOCK):
        sock = socket.socket(fileno=os.dup(fd))
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            found.append(sock)
        else:
            sock.close()
    return found


def answer(connection):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = connection.recv(65536)
        if not chunk:
            return
        request += chunk
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method = head[0].split(" ", 1)[0]
    asked = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip() for line in head[1:] if ":" in line}
    lines = ["HTTP/1.1 200 OK", "access-control-allow-origin: *", "connection: close"]
    if method == "OPTIONS":
        lines += ["access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
                  "access-control-allow-headers: " + asked.get("access-control-request-headers", "")]
        body = b"OK"
    else:
        body = b"[]"
    lines += ["content-length: " + str(len(body)), "", ""]
    connection.sendall("\r\n".join(lines).encode() + body)


for fd in writable_pipes():
    try:
        os.write(fd, (json.dumps({"event": "imported", "app": FORGED}) + "\n" + '{"event": "ready"}\n').encode())
    except OSError:
        pass
for listener in listening_sockets():
    while True:
        connection, _ = listener.accept()
        try:
            answer(connection)
        except OSError:
            pass
        finally:
            connection.close()
