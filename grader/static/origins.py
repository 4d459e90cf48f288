"""Attacker origins: the near misses a careless origin test lets in, derived from the
origins a lesson allows, and what a regular expression really matches.

A check that asks one random stranger misses the holes that matter: text tested with
`in` (a piece of the origin passes), a regex with an unescaped `.` or no end, an extra
`null`. These probes are what an attacker would try against each allowed origin.
"""

from __future__ import annotations

import random
import re

# Python's own regex parser (3.11+; the old sre_parse name warns): what the pattern is made of.
import re._constants as sre_constants
import re._parser as sre_parse
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ATTACKER_HOST = "evil.example"
# Enumerating a regex's strings stops here: more than this is "many", not a short list.
MAX_LISTED = 32

# Pieces of the origins live probes send. Drawn at random for each grade, so that no word,
# top-level domain or port marks a request as the grader's (an app that refused every
# origin containing "example" once passed). Real sites' shapes: a brand, sometimes a
# subdomain, a country or generic TLD; dev servers on localhost-like hosts with a port.
_WORDS = (
    "acme", "atlas", "beacon", "bluebird", "brightline", "cobalt", "copper", "crescent", "daybook",
    "ember", "fieldnote", "finch", "glacier", "harbor", "hazel", "inkwell", "juniper", "kestrel",
    "lantern", "ledger", "maple", "meadow", "nimbus", "northwind", "orchard", "paperclip", "pebble",
    "pinecone", "quill", "redwood", "riverbank", "saffron", "scribe", "sparrow", "summit", "tandem",
    "thistle", "trailhead", "umber", "vantage", "willow", "wren", "yonder", "zephyr",
)
_SUFFIXES = ("", "", "", "hq", "app", "labs", "io", "ly", "hub", "works", "notes", "cloud", "studio")
_SUBDOMAINS = ("", "", "", "www", "app", "web", "my", "portal", "dashboard", "staging", "beta", "m", "admin")
_TLDS = (
    "com", "com", "com", "net", "org", "io", "app", "dev", "co", "ai", "xyz", "site", "online",
    "de", "fr", "co.uk", "com.au", "ca", "nl", "se", "jp", "com.br", "in", "es", "it", "pl", "ch",
)
# Browsers reach these only over https (HSTS preloaded for the whole top-level domain).
HTTPS_ONLY_TLDS = frozenset({"app", "dev"})
_DEV_PORTS = (3000, 3001, 4200, 5000, 5173, 5500, 8080, 8081, 8888, 9000)


# Words an app could look for to spot a grader's probe; words joined together can spell one
# ("notes" + "trailhead"), so a host holding one is drawn again.
_TELLTALE = ("example", "grader", "test", "evil", "probe", "localhost", "attack", "fake")


def random_host(rng: random.Random, *, plain_http: bool = False) -> str:
    """A host name shaped like a real site's: `acmehq.io`, `app.meadow.co.uk`; with
    `plain_http`, one a browser would load over http (no HTTPS-only top-level domain)."""
    while True:
        name = rng.choice(_WORDS) + rng.choice(_SUFFIXES)
        if rng.random() < 0.3:
            name += rng.choice(("-", "")) + rng.choice(_WORDS)
        if rng.random() < 0.15:
            name += str(rng.randint(2, 99))
        sub = rng.choice(_SUBDOMAINS)
        tlds = [tld for tld in _TLDS if not (plain_http and tld in HTTPS_ONLY_TLDS)]
        host = f"{sub + '.' if sub else ''}{name}.{rng.choice(tlds)}"
        if not any(word in host for word in _TELLTALE):
            return host


def random_origin(rng: random.Random, *, secure: bool | None = None) -> str:
    """An origin a real page could have: mostly `https://host`, sometimes a port, sometimes
    plain http (`secure` forces the scheme)."""
    https = rng.random() < 0.85 if secure is None else secure
    port = f":{rng.choice((8443, 444, 4443))}" if https and rng.random() < 0.05 else ""
    if not https and rng.random() < 0.5:
        port = f":{rng.choice(_DEV_PORTS)}"
    return f"{'https' if https else 'http'}://{random_host(rng, plain_http=not https)}{port}"


def random_label(rng: random.Random) -> str:
    """One lower-case DNS label an attacker might register or use as a subdomain."""
    while True:
        label = rng.choice(_WORDS) + rng.choice(("", "", str(rng.randint(1, 999)), rng.choice(_SUFFIXES)))
        if not any(word in label for word in _TELLTALE):
            return label


@dataclass(frozen=True)
class Probe:
    """An origin an attacker could send, and why a careless test might let it in."""

    origin: str
    why: str


def attacker_probes(allowed: Iterable[str], rng: random.Random | None = None) -> tuple[Probe, ...]:
    """Origins an attacker would try against each allowed origin: a prefix, the origin with
    more after it, a host ending in it, a subdomain and a sibling, another scheme and port,
    look-alikes an unescaped `.` lets through, `null`, and a plain stranger.

    Without `rng` the attacker's own names are fixed (`evil.example`: stable words for
    messages about the code); with it they are drawn at random, as live probes need."""
    probes: dict[str, Probe] = {}
    label = random_label(rng) if rng is not None else "evil"
    attacker_host = random_host(rng) if rng is not None else ATTACKER_HOST

    def add(origin: str, why: str) -> None:
        if origin not in probes:
            probes[origin] = Probe(origin, why)

    wanted = [origin for origin in allowed if origin not in {"*", "null"}]
    for origin in wanted:
        parts = urlsplit(origin)
        scheme, host, port = parts.scheme, parts.hostname or "", parts.port
        if not scheme or not host:
            continue
        base = f"{scheme}://{host}"
        add(origin[:-1], f"{origin} without its last letter, a different site anyone could register")
        add(f"{origin}.{attacker_host}", f"{origin} with more after it, a host an attacker owns")
        add(f"{scheme}://{label}{host}", f"a host that ends with {host} without being it")
        add(f"{scheme}://{label}.{host}", f"a subdomain of {host}")
        parent = host.split(".", 1)[1] if host.count(".") >= 2 else None
        if parent:
            add(f"{scheme}://{label}.{parent}", f"another site under {parent}")
        other = "http" if scheme == "https" else "https"
        add(origin.replace(f"{scheme}://", f"{other}://", 1), f"the same host over {other}")
        add(f"{base}:{(port or 0) + 1 if port else 8443}", "the same host on another port")
        for index, char in enumerate(host):
            if char == ".":
                lookalike = host[:index] + "-" + host[index + 1 :]
                add(f"{scheme}://{lookalike}" + (f":{port}" if port else ""), f"a look-alike of {host}")
    add("null", "the origin a sandboxed iframe or a local file sends, which any site can produce")
    add(f"https://{attacker_host}", "an unrelated site")
    return tuple(probes.values())


def regex_strings(pattern: str) -> tuple[str, ...] | None:
    """Every string `pattern` matches in full, when they are few (an escaped origin, or a
    choice between a handful); None when it matches many (`.`, `[...]`, `*`, `+`)."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    found = _strings(list(parsed))
    return tuple(dict.fromkeys(found)) if found is not None else None


def _strings(items: list[tuple[Any, Any]]) -> list[str] | None:
    results = [""]
    for op, arg in items:
        options = _item_strings(op, arg)
        if options is None:
            return None
        results = [start + end for start in results for end in options]
        if len(results) > MAX_LISTED:
            return None
    return results


def _item_strings(op: Any, arg: Any) -> list[str] | None:
    c = sre_constants
    if op is c.LITERAL:
        return [chr(arg)]
    if op is c.AT and arg in (c.AT_BEGINNING, c.AT_BEGINNING_STRING, c.AT_END, c.AT_END_STRING):
        return [""]  # anchors: the match is already a full match
    if op is c.SUBPATTERN:
        return _strings(list(arg[-1]))
    if op is c.BRANCH:
        found: list[str] = []
        for branch in arg[1]:
            options = _strings(list(branch))
            if options is None:
                return None
            found += options
        return found
    if op is c.IN and all(kind is c.LITERAL for kind, _ in arg):
        return [chr(value) for _, value in arg]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, high, body = arg
        if high is c.MAXREPEAT or high > 3:
            return None
        inner = _strings(list(body))
        if inner is None:
            return None
        found = []
        for count in range(low, high + 1):
            found += _repeat(inner, count)
        return found
    return None


def _repeat(options: list[str], count: int) -> list[str]:
    results = [""]
    for _ in range(count):
        results = [start + end for start in results for end in options]
    return results


def regex_matches(pattern: str, origin: str) -> bool:
    """Whether `pattern` matches all of `origin`, as origin checks test it (fullmatch)."""
    try:
        return re.fullmatch(pattern, origin) is not None
    except (re.error, RecursionError, OverflowError):
        return False


def regex_example(pattern: str, avoid: Iterable[str] = ()) -> str | None:
    """One origin `pattern` matches that is not in `avoid`: what an attacker would register
    (`https://.*\\.vercel\\.app` gives https://x.vercel.app). None when none is found."""
    try:
        parsed = sre_parse.parse(pattern)
        built = _sample(list(parsed))
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    if built is None or built in set(avoid) or not regex_matches(pattern, built):
        return None
    return built


def _sample(items: list[tuple[Any, Any]]) -> str | None:
    parts = []
    for op, arg in items:
        part = _sample_item(op, arg)
        if part is None:
            return None
        parts.append(part)
    return "".join(parts)


def _sample_item(op: Any, arg: Any) -> str | None:
    c = sre_constants
    if op is c.LITERAL:
        return chr(arg)
    if op is c.NOT_LITERAL:
        return "x" if arg != ord("x") else "y"
    if op is c.ANY:
        return "x"
    if op is c.AT:
        return ""
    if op is c.IN:
        for kind, value in arg:
            if kind is c.LITERAL:
                return chr(value)
            if kind is c.RANGE:
                return chr(value[0])
            if kind is c.CATEGORY:
                return "1" if value is c.CATEGORY_DIGIT else "x"
        return None
    if op is c.SUBPATTERN:
        return _sample(list(arg[-1]))
    if op is c.BRANCH:
        return _sample(list(arg[1][0]))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, _high, body = arg
        inner = _sample(list(body))
        return None if inner is None else inner * max(low, 1)
    return None
