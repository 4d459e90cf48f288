# Connect to Unix sockets of the host (a terminal multiplexer's, an agent's, a bus's):
# each is a way out of the sandbox.
import socket as _socket


def connect_out():
    for path in "__SOCKETS__".split(","):
        if path.startswith("@"):  # an abstract socket: no file at all, just a name
            path = "\0" + path[1:]
        try:
            with _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM) as client:
                client.settimeout(2)
                client.connect(path)
                client.sendall(MARKER.encode())
        except OSError:
            pass


connect_out()
