"""Talking to a template vendor: the :class:`Provider` interface and its Sinch implementation.

:mod:`.provider` (what plan/apply/drift need), :mod:`.sinch` (the Sinch Provisioning API),
:mod:`.http` (sending and the retry loop), :mod:`.retry` (when to send again), :mod:`.calls`
(one-line errors), :mod:`.pages` (the pagination loop), :mod:`.auth` (Basic/OAuth2). Which provider a configured target means is decided outside this
package, in :func:`waform.connect.open_provider`; nothing here imports the emulator.
"""

from waform.client.auth import BasicAuth, NoAuth, OAuth2ClientCredentials
from waform.client.http import USER_AGENT, Endpoint, HttpApi
from waform.client.pages import MAX_PAGES, collect_pages
from waform.client.provider import Provider
from waform.client.retry import NO_RETRY, RetryPolicy, ThrottleHook, parse_retry_after
from waform.client.sinch import MAX_PAGE_SIZE, SinchProvider, open_sinch
from waform.errors import ApiError, TransportError, UnknownOutcomeError

__all__ = [
    "MAX_PAGES",
    "MAX_PAGE_SIZE",
    "NO_RETRY",
    "USER_AGENT",
    "ApiError",
    "BasicAuth",
    "Endpoint",
    "HttpApi",
    "NoAuth",
    "OAuth2ClientCredentials",
    "Provider",
    "RetryPolicy",
    "SinchProvider",
    "ThrottleHook",
    "TransportError",
    "UnknownOutcomeError",
    "collect_pages",
    "open_sinch",
    "parse_retry_after",
]
