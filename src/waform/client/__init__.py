"""Talking to Sinch: one pooled async client, authentication, and bounded retries.

``open_client(target)`` is the only way in; see :mod:`waform.client.client` for the retry rules
(reads vs writes) and :mod:`waform.client.auth` for Basic/OAuth2.
"""

from waform.client.auth import BasicAuth, NoAuth, OAuth2ClientCredentials
from waform.client.client import (
    MAX_PAGE_SIZE,
    USER_AGENT,
    SinchClient,
    open_client,
)
from waform.client.retry import NO_RETRY, RetryPolicy, ThrottleHook, parse_retry_after
from waform.errors import ApiError, TransportError, UnknownOutcomeError

__all__ = [
    "MAX_PAGE_SIZE",
    "NO_RETRY",
    "USER_AGENT",
    "ApiError",
    "BasicAuth",
    "NoAuth",
    "OAuth2ClientCredentials",
    "RetryPolicy",
    "SinchClient",
    "ThrottleHook",
    "TransportError",
    "UnknownOutcomeError",
    "open_client",
    "parse_retry_after",
]
