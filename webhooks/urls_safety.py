"""Which URLs an endpoint may have: http(s), bounded, no credentials; in production no
loopback, private, link-local or reserved address (server-side request forgery), by the
``WEBHOOK_ALLOW_PRIVATE_URLS`` setting (on in the tests, whose receiver is on loopback)."""

import ipaddress
import socket
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _

from webhooks.models import URL_MAX_LENGTH


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message says why."""


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_URLS", False))


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def check_url_form(url: str) -> str:
    """The URL as stored, or ``UnsafeUrl``: the checks that need no network."""
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise UnsafeUrl(_("At most %(count)s characters.") % {"count": URL_MAX_LENGTH})
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(_("An http:// or https:// URL with a host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl(_("A URL may not hold a user name or password."))
    if not private_allowed():
        host = parts.hostname
        if host == "localhost" or host.endswith(".localhost"):
            raise UnsafeUrl(_("Loopback and private addresses cannot receive webhooks."))
        try:
            literal = _blocked(host)
        except ValueError:
            literal = False  # a name, resolved when sending
        if literal:
            raise UnsafeUrl(_("Loopback and private addresses cannot receive webhooks."))
    return url


def check_url_resolves_public(url: str) -> None:
    """Before sending: every address of the host is public (unless private ones are
    allowed); ``UnsafeUrl`` otherwise."""
    if private_allowed():
        return
    parts = urllib.parse.urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeUrl(str(exc)) from exc
    if any(_blocked(str(info[4][0])) for info in infos):
        raise UnsafeUrl("The host resolves to a loopback or private address.")
