"""Server-Sent Events from the grader's thread to every open page.

The watch loop runs in the main thread and the web server in an asyncio loop of its own, so
a message crosses over with `call_soon_threadsafe`. The last message of each kind is kept:
a page that connects (or reconnects) gets the current picture at once.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

# A comment line this often lets a closed tab be noticed and keeps proxies from timing out.
HEARTBEAT_SECONDS = 15.0


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, str] = {}
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str | None]]] = set()
        self._closed = False

    def publish(self, event: str, data: Any) -> None:
        """Send `data` (JSON) as an `event` to every page, now and to pages that open later."""
        message = f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
        with self._lock:
            self._latest[event] = message
            clients = list(self._clients)
        for loop, queue in clients:
            _deliver(loop, queue, message)

    async def stream(self) -> AsyncIterator[str]:
        """One page's event stream: the latest of each event, then every new one."""
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        client = (asyncio.get_running_loop(), queue)
        # Registering and copying under the publisher's lock: each message arrives exactly once.
        with self._lock:
            if self._closed:
                return
            self._clients.add(client)
            snapshot = list(self._latest.values())
        try:
            for message in snapshot:
                yield message
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": still here\n\n"
                    continue
                if item is None:
                    return
                yield item
        finally:
            with self._lock:
                self._clients.discard(client)

    def close(self) -> None:
        """End every stream, so the server can stop without waiting for open tabs."""
        with self._lock:
            self._closed = True
            clients = list(self._clients)
        for loop, queue in clients:
            _deliver(loop, queue, None)


def _deliver(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None], item: str | None) -> None:
    try:
        loop.call_soon_threadsafe(queue.put_nowait, item)
    except RuntimeError:  # that page's loop has already stopped
        pass
