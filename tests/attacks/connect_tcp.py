# Reach a listener on the host's loopback (the test's own, at 127.0.0.1): the network.
import socket as _socket


def call_out():
    try:
        with _socket.create_connection(("127.0.0.1", int("__PORT__")), timeout=2) as client:
            client.sendall(MARKER.encode())
    except OSError:
        pass


call_out()
