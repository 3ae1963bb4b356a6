"""Login throttling for the API, and the client address every lockout counts by.

The admin's logins are throttled by django-axes (settings ``AXES_*``). The API has no login:
it takes a token with every request. An address that sends ``API_AUTH_FAILURE_LIMIT``
wrong tokens within ``API_AUTH_FAILURE_WINDOW_SECONDS`` is locked out for
``API_AUTH_LOCKOUT_SECONDS``: the Nth wrong token and every wrong token from that address
until then get 429 with ``Retry-After``. A valid token is never refused by the lockout: a
key is 160 to 240 random bits, so guessing one is hopeless anyway, and many integrations
share an address (a NAT, a proxy), so one broken sender would lock out every good one.
The lockout slows and flags a misbehaving sender. Other addresses are not affected. The
counters live in the default cache (Redis in production, so every worker process sees the
same counts). Tokens themselves: contactcenter.tokens.

On top, DRF's rate throttles per address (anonymous) and per user, with rates from
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` read at request time.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, throttling
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.settings import api_settings

from contactcenter import tokens


def client_ip(request):
    """The client's address: the connection's, or the entry of X-Forwarded-For that the
    last of ``TRUSTED_PROXY_COUNT`` trusted proxies wrote (anything left of it is the
    client's own say and can be forged)."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote_addr


def admin_lockout_response(request, original_response, credentials):
    """What a locked-out admin login sees (``AXES_LOCKOUT_CALLABLE``): the admin's page
    saying why and for how long, with status 429."""
    context = {
        "username": (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD, ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)


def _failures_key(address):
    return f"api-auth:failures:{address}"


def _lockout_key(address):
    return f"api-auth:lockout:{address}"


def _locked_for(address):
    """Seconds left of the address's lockout, or 0."""
    until = cache.get(_lockout_key(address))
    if until is None:
        return 0
    return max(0, math.ceil(until - time.time()))


class TokenLockout(exceptions.Throttled):
    default_detail = gettext_lazy("Too many failed token authentications from this address.")
    default_code = "auth_locked_out"
    extra_detail_singular = gettext_lazy("Try again in {wait} second.")  # type: ignore[assignment]  # lazy: translated per request
    extra_detail_plural = gettext_lazy("Try again in {wait} seconds.")  # type: ignore[assignment]  # lazy: translated per request


def _count_failure(address):
    """Count a wrong token; returns the lockout's length when this one starts it, else 0."""
    key = _failures_key(address)
    cache.add(key, 0, timeout=settings.API_AUTH_FAILURE_WINDOW_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=settings.API_AUTH_FAILURE_WINDOW_SECONDS)
        failures = 1
    if failures < settings.API_AUTH_FAILURE_LIMIT:
        return 0
    seconds = settings.API_AUTH_LOCKOUT_SECONDS
    cache.set(_lockout_key(address), time.time() + seconds, timeout=seconds)
    cache.delete(key)
    return seconds


class ThrottledTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against the hashed tokens of contactcenter.tokens;
    wrong keys from an address that guessed wrong too often get 429, valid ones never."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: another authenticator, or anonymous
        address = client_ip(request)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            wait = _locked_for(address) or _count_failure(address)
            if wait:
                raise TokenLockout(wait=wait) from None
            raise

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = tokens.find(key, now)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        refusal = token.refusal(now)
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class _RatesFromSettings:
    """Read the rate when the throttle is built, not when DRF was imported, so a changed
    setting (an override in a test, a reload) takes effect; and count by ``client_ip``."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    pass
