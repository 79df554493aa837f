"""HTTP for ModernGov sites: one request at a time, a polite delay, retries with back-off.

Built on requests (already installed with WordLlama; see pyproject.toml). Every failure
becomes a :class:`FetchError` whose message is one line a clerk can act on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests

from followthrough import __version__
from followthrough.errors import FollowthroughError

USER_AGENT = f"followthrough/{__version__} (loads published council minutes; python-requests/{requests.__version__})"


class FetchError(FollowthroughError):
    """A site could not be reached or answered something we cannot use."""


class WebServiceOff(FetchError):
    """The site does not answer the ModernGov web service (mgWebService.asmx)."""


@dataclass
class Politeness:
    """How gently to ask: ``delay`` seconds between requests, ``timeout`` per request,
    ``retries`` more attempts after a 5xx or a timeout, waiting ``backoff`` * 2**n seconds."""

    delay: float = 1.0
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 2.0


@dataclass
class Reply:
    url: str
    status: int
    content_type: str
    content: bytes


@dataclass
class Client:
    """GETs one URL at a time from one site, never faster than ``politeness.delay``."""

    politeness: Politeness = field(default_factory=Politeness)
    sleep: Callable[[float], None] = time.sleep
    session: requests.Session = field(default_factory=requests.Session)
    requests_made: int = 0
    _last: float | None = None

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT
        # Council networks sit behind proxies: honour HTTP(S)_PROXY / NO_PROXY and CA settings.
        self.session.trust_env = True

    def get(
        self, url: str, params: Mapping[str, str] | None = None, *, no_retry: Callable[[Reply], bool] | None = None
    ) -> Reply:
        """The reply to GET ``url``. 4xx replies are returned; 5xx replies and timeouts are
        retried, except a 5xx that ``no_retry`` says is permanent, which is returned."""
        attempts = self.politeness.retries + 1
        for attempt in range(attempts):
            self._wait()
            try:
                response = self.session.get(url, params=params, timeout=self.politeness.timeout)
            except requests.Timeout as exc:
                if attempt + 1 < attempts:
                    self._back_off(attempt)
                    continue
                raise FetchError(
                    f"no answer from {_shown(url, params)} within {self.politeness.timeout:g} s "
                    f"({attempts} attempt{'s' if attempts > 1 else ''})"
                ) from exc
            except requests.ConnectionError as exc:
                raise FetchError(f"cannot reach {_host(url)}: {_why(exc)}") from exc
            except requests.RequestException as exc:
                raise FetchError(f"cannot fetch {_shown(url, params)}: {exc.__class__.__name__}") from exc
            finally:
                self._last = time.monotonic()
                self.requests_made += 1
            reply = Reply(
                url=response.url,
                status=response.status_code,
                content_type=response.headers.get("Content-Type", "").split(";")[0].strip().lower(),
                content=response.content,
            )
            if reply.status >= 500 and no_retry is not None and no_retry(reply):
                return reply
            if response.status_code >= 500 and attempt + 1 < attempts:
                self._back_off(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 500:
                raise FetchError(
                    f"{_shown(url, params)} answered HTTP {response.status_code} {response.reason or ''}".rstrip()
                    + f" ({attempts} attempts)"
                )
            return reply
        raise AssertionError("unreachable")

    def _wait(self) -> None:
        if self._last is not None:
            remaining = self.politeness.delay - (time.monotonic() - self._last)
            if remaining > 0:
                self.sleep(remaining)

    def _back_off(self, attempt: int, retry_after: str | None = None) -> None:
        wait = self.politeness.backoff * (2**attempt)
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, min(float(retry_after), 300.0))
        if wait > 0:
            self.sleep(wait)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _shown(url: str, params: Mapping[str, str] | None) -> str:
    if not params:
        return url
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _why(exc: BaseException) -> str:
    """The cause of a connection failure in a few words (DNS, refused, TLS, reset)."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
    text = " ".join(f"{type(e).__name__} {e}" for e in chain)
    lowered = text.lower()
    if (
        "nameresolution" in lowered
        or "name or service not known" in lowered
        or "getaddrinfo" in lowered
        or "nodename nor servname" in lowered
        or "temporary failure in name resolution" in lowered
    ):
        return "the name does not resolve (check the address, or the network)"
    if "refused" in lowered:
        return "connection refused (is the address right?)"
    if "ssl" in lowered or "certificate" in lowered:
        return "the secure connection failed (certificate or TLS problem)"
    if "reset" in lowered or "aborted" in lowered or "remotedisconnected" in lowered:
        return "the connection was dropped"
    if "unreachable" in lowered:
        return "the network is unreachable"
    return "connection failed"
