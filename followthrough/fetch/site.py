"""A ModernGov site: its address, its web service, its council, its committees."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from ipaddress import ip_address
from urllib.parse import urlsplit, urlunsplit

from rapidfuzz import fuzz, process

from followthrough.errors import UsageError
from followthrough.fetch.replies import Committee

WEB_SERVICE = "mgWebService.asmx"
CLOSE, CLOSE_SPREAD = 60, 15  # WRatio: names suggested for an unknown committee
# Pages a clerk may paste instead of the site's root; the site is the folder they sit in.
_PAGE = re.compile(r"/(?:[^/]+\.aspx|mgWebService\.asmx(?:/.*)?)$", re.I)


@cache
def config() -> dict:
    return json.loads(resources.files("followthrough.fetch").joinpath("data/fetch.json").read_text("utf-8"))


def normalise(site_url: str) -> str:
    """'democracy.bridgend.gov.uk/ieDocHome.aspx' -> 'https://democracy.bridgend.gov.uk'."""
    raw = site_url.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", raw, re.I):
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{site_url!r} is not a web address (e.g. https://democracy.bridgend.gov.uk)")
    path = _PAGE.sub("", parts.path).rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def service_url(site: str, method: str) -> str:
    return f"{site}/{WEB_SERVICE}/{method}"


def meeting_page(site: str, committee_id: int, meeting_id: int) -> str:
    return f"{site}/ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}"


def council_from_host(url: str) -> str | None:
    """The council a site's host names: democracy.bridgend.gov.uk -> 'Bridgend',
    bridgend.moderngov.co.uk -> 'Bridgend', democracy.east-sussex.gov.uk -> 'East Sussex'.
    None for IP addresses, localhost and hosts with no name left."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host or host == "localhost":
        return None
    try:
        ip_address(host)
        return None
    except ValueError:
        pass
    for suffix in sorted(config()["host_suffixes"], key=len, reverse=True):
        if host.endswith("." + suffix):
            host = host[: -len(suffix) - 1]
            break
    generic = set(config()["host_labels"])
    labels = [label for label in host.split(".") if label and label not in generic]
    if not labels:
        return None
    return " ".join(word.capitalize() for word in re.split(r"[-_]+", labels[-1]) if word)


def choose_committees(available: list[Committee], wanted: tuple[str, ...], site: str) -> list[Committee]:
    """The committees ``wanted`` names (title or id); all current ones when none are named."""
    if not wanted:
        return [c for c in available if c.current]
    by_key = {_key(c.title): c for c in available}
    by_id = {str(c.id): c for c in available}
    chosen: list[Committee] = []
    for name in wanted:
        found = by_id.get(name.strip()) or by_key.get(_key(name))
        if found is None:
            titles = [c.title for c in available]
            scored = process.extract(name, titles, scorer=fuzz.WRatio, limit=3)
            best = scored[0][1] if scored else 0
            # Near names only: close to the query and to the best match (a typo, a short form).
            close = [t for t, score, _ in scored if score >= CLOSE and score >= best - CLOSE_SPREAD]
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UsageError(
                f"no committee {name!r} at {site}{hint} (see: followthrough fetch --list-committees {site})"
            )
        if found not in chosen:
            chosen.append(found)
    return chosen


def _key(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", title.lower().replace("&", " and ")))
