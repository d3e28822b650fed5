"""Locating rule findings parses each file at most once per run, however many findings it has.

A loaded file keeps only its text; the first finding located in it composes the text again
(about a millisecond). The composed graph must then be reused for every other finding in that
file, and a file without findings must never be parsed again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import waform.loader
from waform.loader import load_paths
from waform.rules import check_files

#: Five rule findings in one language (WA-V7 twice, WA-B3, WA-F2, WA-BT9), two languages.
NOISY = """\
name: noisy_{n}
category: UTILITY
languages:
  en_US: &lang
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "{{{{1}}}}"
          example: "A"
        - type: BODY
          text: "{{{{1}}}} is ready.\\n\\n\\n\\nPick it up at the counter today, {{{{2}}}}"
          examples: ["Order A-{n}", "Anna"]
        - type: FOOTER
          text: "Shop {{{{1}}}}"
        - type: BUTTONS
          buttons:
            - {{type: QUICK_REPLY, text: "Yes"}}
            - {{type: QUICK_REPLY, text: "Yes"}}
  DE: *lang
"""

QUIET = """\
name: quiet_{n}
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Hi {{{{1}}}}, your order {{{{2}}}} is ready for pickup at our store number {n} today."
          examples: ["Anna", "A-{n}"]
"""


def test_each_file_with_findings_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(6):
        (tmp_path / f"noisy_{n}.yaml").write_text(NOISY.format(n=n), encoding="utf-8")
        (tmp_path / f"quiet_{n}.yaml").write_text(QUIET.format(n=n), encoding="utf-8")
    loaded = load_paths([tmp_path])
    assert loaded.ok, loaded.diagnostics

    parsed: list[str] = []
    real_compose = waform.loader.compose

    def counting_compose(text: str):  # noqa: ANN202 - the real function, counted
        parsed.append(text.splitlines()[0])
        return real_compose(text)

    monkeypatch.setattr(waform.loader, "compose", counting_compose)
    first = check_files(loaded.files)
    per_file = {d.path for d in first}
    assert len(first) >= 6 * 2 * 4, first  # several findings in each language of each file
    assert per_file == {str(tmp_path / f"noisy_{n}.yaml") for n in range(6)}
    assert sorted(parsed) == sorted(f"name: noisy_{n}" for n in range(6))

    again = check_files(loaded.files)  # a second run over the same files parses nothing
    assert again == first
    assert len(parsed) == 6
