"""Token checks of every authenticated route, and the shared limit on wrong guesses.

Each route compares the token it was given with :func:`token_matches` first, so the right token
always works. A wrong one goes through :func:`wrong_token`: it is counted per client address in
the shared storage (:mod:`bot.storage.auth_limits`, every process and host alike), and once the
address is over the limit the route answers 429 with ``Retry-After`` instead. The client address
is ``request.remote_addr``, which ``ProxyFix`` sets from ``X-Forwarded-For`` when ``PROXY_HOPS``
is set. Only the address reaches the log, never the guessed token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math

from flask import current_app, request

from bot.errors import StorageError

__all__ = ["STORAGE_DOWN_WAIT_S", "client_address", "counted_address", "retry_after", "token_matches",
           "wrong_token"]

log = logging.getLogger(__name__)

# When the counts cannot be read, a wrong guess is refused for this long: an outage of the
# storage must not open the door to unlimited guessing.
STORAGE_DOWN_WAIT_S = 60.0


def token_matches(given: str, expected: str) -> bool:
    """True when ``expected`` is set and ``given`` equals it (in constant time)."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def client_address() -> str:
    """Who is counted: the client's address (the proxies' ``X-Forwarded-For`` entry when
    ``PROXY_HOPS`` is set), an IPv6 client by its /64 network, since one host holds a whole /64."""
    return counted_address(request.remote_addr or "")


def counted_address(address: str) -> str:
    """``address`` as the limit counts it: IPv4 as is, IPv6 as its /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def wrong_token(what: str) -> float:
    """Count a wrong ``what`` from this client; the seconds it must wait when over the limit, else 0.

    Over the limit the guess is refused (the caller answers 429) and not counted again.
    """
    address = client_address()
    try:
        wait = current_app.extensions["dukkan"].auth_failures.attempt(address)
    except StorageError as exc:
        log.error("%s from %s refused: failed attempts cannot be counted (%s)", what, address, exc)
        return STORAGE_DOWN_WAIT_S
    if wait > 0:
        log.warning("%s from %s refused: too many failed attempts, retry in %ds", what, address, math.ceil(wait))
    else:
        log.warning("wrong %s from %s", what, address)
    return wait


def retry_after(wait: float) -> dict[str, str]:
    """The ``Retry-After`` header for a wait of ``wait`` seconds (whole seconds, at least 1)."""
    return {"Retry-After": str(max(1, math.ceil(wait)))}
