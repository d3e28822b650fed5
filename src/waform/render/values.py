"""How plan values are written in text and Markdown: one line of JSON, shortened if huge."""

from __future__ import annotations

import json
from typing import Any

#: Values longer than this are cut in the middle (a 1,024-character body stays readable).
MAX_VALUE_CHARS = 2_000


def show_value(value: Any, *, limit: int = MAX_VALUE_CHARS) -> str:
    """``"text"`` / ``5`` / ``{"a": 1}`` on one line; newlines stay escaped as ``\\n``."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > limit:
        half = limit // 2
        text = f"{text[:half]} … {text[-half:]}"
    return text
