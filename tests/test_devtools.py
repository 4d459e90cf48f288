"""The recorder: DevTools events, in whatever order Chromium sends them, become requests."""

from __future__ import annotations

from typing import Any

from grader.live.devtools import Recorder

SESSION = "S1"
API = "http://127.0.0.1:9000/notes/1"


def event(method: str, **params: Any) -> dict[str, Any]:
    return {"method": method, "params": params, "sessionId": SESSION}


def test_a_preflight_comes_before_the_request_it_guards_whatever_the_event_order() -> None:
    events = [
        # Chromium announces the DELETE first, then the preflight it sends for it.
        event(
            "Network.requestWillBeSent", requestId="7.1", request={"method": "DELETE", "url": API}
        ),
        # Extra info may arrive before the event it completes.
        event(
            "Network.responseReceivedExtraInfo",
            requestId="P",
            statusCode=204,
            headers={"access-control-allow-origin": "*", "vary": "Origin\nAccept"},
        ),
        event(
            "Network.requestWillBeSent",
            requestId="P",
            request={"method": "OPTIONS", "url": API},
            initiator={"type": "preflight", "requestId": "7.1"},
        ),
        event("Network.loadingFinished", requestId="P"),
        event("Network.loadingFailed", requestId="7.1", errorText="net::ERR_FAILED"),
        event(
            "Log.entryAdded", entry={"level": "error", "text": "blocked", "source": "javascript"}
        ),
        {"method": "Network.loadingFinished", "params": {"requestId": "X"}, "sessionId": "other"},
    ]
    recorder = Recorder(SESSION)
    recorder.feed(events)
    assert events == []
    assert recorder.settled()
    preflight, call = recorder.requests()
    assert (preflight.method, preflight.preflight, preflight.status) == ("OPTIONS", True, 204)
    assert preflight.header("Vary") == "Origin, Accept"
    assert preflight.sent
    assert (call.method, call.preflight, call.status, call.sent) == ("DELETE", False, None, False)
    assert call.failure == "net::ERR_FAILED"
    assert [(m.level, m.text) for m in recorder.console()] == [("error", "blocked")]


def test_a_request_still_loading_keeps_the_recorder_unsettled() -> None:
    recorder = Recorder(SESSION)
    recorder.feed(
        [event("Network.requestWillBeSent", requestId="1", request={"method": "GET", "url": API})]
    )
    assert not recorder.settled()
    # Events about a request announced before recording began (the page's own load) do not count.
    recorder.feed(
        [
            event("Network.loadingFinished", requestId="1"),
            event("Network.dataReceived", requestId="0"),
        ]
    )
    assert recorder.settled()
