"""The base class of every wire model: camelCase field names, strict types, unknown keys refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A model whose attribute names are the API's camelCase names, so YAML == wire JSON.

    ``strict`` refuses silent coercions (``"5"`` for a number, ``1`` for a boolean): in a file
    edited by hand these are mistakes worth reporting. ``extra="forbid"`` turns a misspelt key into
    an error; the loader adds a "did you mean …" hint (see :mod:`waform.diagnostics`).
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        populate_by_name=True,
        serialize_by_alias=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body Sinch expects: aliases applied, unset optional fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
