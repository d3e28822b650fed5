"""Wire names that the reference marks UNCONFIRMED, kept in one place so they can change.

Sinch's OpenAPI (1.2.117) is self-contradictory about the sample-value field of the TEXT header,
media header, carousel card header, URL button and COPY_CODE button: the schemas' ``required``
lists and the response DTOs say ``example`` (singular, one value), while the request examples
show ``examples`` (a one-element list). BODY is unambiguous: ``examples`` (a list of strings).

We write :data:`SINGLE_EXAMPLE` on the wire and accept :data:`SINGLE_EXAMPLE_ALIASES` on read
(a one-element list is unwrapped), so flipping the choice is a one-line change here.
"""

from __future__ import annotations

#: Field name we send for a single sample value (header, URL button, COPY_CODE button).
SINGLE_EXAMPLE = "example"
#: Other spellings accepted when reading YAML or API responses.
SINGLE_EXAMPLE_ALIASES: tuple[str, ...] = ("examples",)
#: Field name of the BODY sample values (a list).
BODY_EXAMPLES = "examples"
