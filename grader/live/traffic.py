"""Requests an app cannot tell from a real browser's: the headers, their order and casing,
a user's session cookie, all drawn at random for each grade.

An app that recognises the grader's probes can pass while it fails real users, so a live
request with an `Origin` goes out the way Chromium sends a page's `fetch()` (recorded from
Chromium 156 over HTTP/1.1): the same header names in the same order, `Sec-Fetch-*`, client
hints and a User-Agent of a browser people use, and no value that repeats from one grade
to the next. Only 127.0.0.1 is ever contacted; the host the page seems to be on is a name.
"""

from __future__ import annotations

import random
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from grader.static.origins import random_label

# Chrome's own names and header order; a request of ours differs from a page's only in the
# values drawn below.
CHROME_VERSIONS = (134, 135, 136, 137, 138, 139, 140, 141, 142)
ACCEPT_LANGUAGES = (
    "en-US,en;q=0.9",
    "en-GB,en-US;q=0.9,en;q=0.8",
    "en-US,en;q=0.9,es;q=0.8",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "en-IN,en-GB;q=0.9,en-US;q=0.8,en;q=0.7",
    "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7",
    "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7",
)
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
# Cookie names real session frameworks use, and the shapes of their values.
SESSION_COOKIES = ("session", "sessionid", "sid", "connect.sid", "_session_id", "auth_session", "__Host-session", "user_session")


@dataclass(frozen=True)
class BrowserProfile:
    """One user's browser: what it says about itself in every request it sends."""

    user_agent: str
    platform: str  # sec-ch-ua-platform, quoted as Chrome sends it
    brands: str  # sec-ch-ua
    mobile: bool
    accept_language: str

    @classmethod
    def draw(cls, rng: random.Random) -> BrowserProfile:
        version = rng.choice(CHROME_VERSIONS)
        system, platform, mobile = rng.choice(
            (
                ("Windows NT 10.0; Win64; x64", "Windows", False),
                ("Windows NT 10.0; Win64; x64", "Windows", False),
                ("Macintosh; Intel Mac OS X 10_15_7", "macOS", False),
                ("X11; Linux x86_64", "Linux", False),
                ("Linux; Android 10; K", "Android", True),
            )
        )
        edge = not mobile and platform == "Windows" and rng.random() < 0.3
        agent = f"Mozilla/5.0 ({system}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}.0.0.0 "
        agent += ("Mobile " if mobile else "") + "Safari/537.36" + (f" Edg/{version}.0.0.0" if edge else "")
        grease = rng.choice(('"Not)A;Brand";v="8"', '"Not:A-Brand";v="24"', '"Not/A)Brand";v="99"', '"Not.A/Brand";v="8"'))
        product = '"Microsoft Edge"' if edge else '"Google Chrome"'
        names = [f'"Chromium";v="{version}"', f'{product};v="{version}"', grease]
        rng.shuffle(names)  # Chrome varies the order of its brands too
        return cls(agent, f'"{platform}"', ", ".join(names), mobile, rng.choice(ACCEPT_LANGUAGES))


def session_cookie(rng: random.Random) -> str:
    """A logged-in user's cookie: a session framework's name and an opaque random value,
    short enough that a curl line carrying it fits a learner's terminal."""
    name = rng.choice(SESSION_COOKIES)
    alphabet = string.ascii_letters + string.digits
    value = "".join(rng.choice(alphabet) for _ in range(rng.randint(16, 24)))
    if name == "connect.sid":
        value = "s%3A" + value + "." + "".join(rng.choice(alphabet) for _ in range(8))
    return f"{name}={value}"


def bearer_token(rng: random.Random) -> str:
    """A login token as a frontend sends it (`Bearer` and an opaque random value, as many
    APIs issue), different in every grade, so that no app can let one fixed token through."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "Bearer " + "".join(rng.choice(alphabet) for _ in range(rng.randint(24, 36)))


def new_rng() -> random.Random:
    """A generator seeded from the system's randomness: nothing an app could predict."""
    return random.Random(secrets.randbits(128))


def browser_request(
    profile: BrowserProfile,
    host: str,
    method: str,
    given: Sequence[tuple[str, str]],
    *,
    credentials: bool = False,
    content_length: int | None = None,
) -> tuple[tuple[str, str], ...]:
    """The headers Chrome sends, in Chrome's order, for a page's request: a preflight when
    `given` asks with Access-Control-Request-Method, else the request itself. `given` holds
    Origin, the page's own headers and, with `credentials`, the user's Cookie."""
    own = {name.lower(): (name, value) for name, value in given}
    origin = own.pop("origin")[1]
    host = own.pop("host", ("Host", host))[1]  # a lesson may name the host (TrustedHostMiddleware)
    # A page with an opaque origin (a sandboxed frame, `Origin: null`) gives away no address.
    referer = [("Referer", origin + "/")] if origin != "null" else []
    lead = [("Host", host), ("Connection", "keep-alive")]
    if content_length is not None:
        lead.append(("Content-Length", str(content_length)))
    tail = [*referer, ("Accept-Encoding", ACCEPT_ENCODING), ("Accept-Language", profile.accept_language)]
    if method == "OPTIONS" and "access-control-request-method" in own:
        asked = [own.pop(name) for name in ("access-control-request-method", "access-control-request-headers") if name in own]
        fetch = [("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Dest", "empty")]
        accept = own.pop("accept", ("Accept", "*/*"))
        middle = [accept, *asked, ("Origin", origin), ("User-Agent", profile.user_agent), *fetch]
        return (*lead, *middle, *own.values(), *tail)
    content_type = own.pop("content-type", None)
    accept = own.pop("accept", ("Accept", "*/*"))
    cookie_header = own.pop("cookie", None)
    # The page's own headers come (sorted, as fetch() keeps them) among Chrome's client hints.
    middle = [
        ("sec-ch-ua-platform", profile.platform),
        *sorted(own.values(), key=lambda pair: pair[0].lower()),
        ("User-Agent", profile.user_agent),
        ("sec-ch-ua", profile.brands),
        *([content_type] if content_type else []),
        ("sec-ch-ua-mobile", "?1" if profile.mobile else "?0"),
        accept,
        ("Origin", origin),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Mode", "cors"),
        ("Sec-Fetch-Dest", "empty"),
    ]
    if credentials:
        middle.append(("Sec-Fetch-Storage-Access", "none"))
    return (*lead, *middle, *tail, *([cookie_header] if cookie_header else []))


def plain_request(host: str, given: Sequence[tuple[str, str]], content_length: int | None) -> tuple[tuple[str, str], ...]:
    """A request without Origin (a script, curl): Host first, then what the check gave."""
    named = next((pair for pair in given if pair[0].lower() == "host"), ("Host", host))
    lead = [named]
    if content_length is not None and not any(name.lower() == "content-length" for name, _ in given):
        lead.append(("Content-Length", str(content_length)))
    return (*lead, *(pair for pair in given if pair[0].lower() != "host"))


def has_origin(headers: Mapping[str, str] | Sequence[tuple[str, str]]) -> bool:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return any(name.lower() == "origin" and value for name, value in pairs)


def plausible_word(rng: random.Random) -> str:
    """A value for a text path parameter: a slug a real page might ask for."""
    return random_label(rng)
