"""The rules across files find the same, whichever process checked each file: this one, a
forked helper (which sends what they compare), or an earlier run (the load cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_loadcache_identity import snapshot
from waform.desired import load_desired
from waform.desired_state import DesiredState
from waform.loadcache import LoadCache
from waform.rules import RuleSettings
from waform.workshare import CHUNK, can_fork

NOTE = """\
{comment}name: note_{index:02d}
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "{body}"
          examples: ["Anna"]
{footer}"""
FOOTER = """\
        - type: FOOTER
          text: "{text}"
"""
FILES = 3 * CHUNK  # this process and the helper each check some of them


def body(index: int) -> str:
    return f"Hi {{{{1}}}}, note number {index} is ready for you at the front desk today."


def write_notes(templates: Path, last_body: str, last_footer: str = "Front desk") -> None:
    """Unique wordings, but for the last file (``last_body``, the first file's footer unless
    told) and the one before it, which repeats the second's and silences WA-LC8."""
    templates.mkdir(exist_ok=True)
    for index in range(FILES):
        wording, comment = body(index), ""
        if index == FILES - 2:
            wording, comment = body(1), "# waform: ignore WA-LC8 note_01 goes next week\n"
        if index == FILES - 1:
            wording = last_body
        footer = FOOTER.format(text="Front desk") if index == 0 else ""
        if index == FILES - 1:
            footer = FOOTER.format(text=last_footer)
        text = NOTE.format(comment=comment, index=index, body=wording, footer=footer)
        (templates / f"note_{index:02d}.yaml").write_text(text)


def lc8(state: DesiredState) -> tuple[list[str], list[str]]:
    """WA-LC8's findings and silenced findings."""
    found = [d for d in state.diagnostics if d.code == "WA-LC8"]
    waived = [s for s in state.silenced if s.diagnostic.code == "WA-LC8"]
    return (
        [f"{Path(d.path).name}:{d.line}: {d.message}" for d in found],
        [f"{Path(s.diagnostic.path).name}: {s.reason}" for s in waived],
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_duplicate_wording_is_found_however_the_files_were_checked(
    tmp_path: Path, workers: int
) -> None:
    assert can_fork(), "the pooled path is taken on this platform"
    templates = tmp_path / "templates"
    # The same words as the first file's body, other whitespace: a duplicate for Meta.
    write_notes(templates, body(0).replace(" ", "  ").replace("note", "\\nnote"))
    settings = RuleSettings()
    uncached = snapshot(load_desired([templates], settings, workers=1))
    found, waived = lc8(load_desired([templates], settings, workers=1))
    assert found == [
        f"note_{FILES - 1}.yaml:8: reword the body or footer: template note_00 "
        f"({templates / 'note_00.yaml'}) has the same text, and Meta rejects duplicate content"
    ]
    assert waived == [f"note_{FILES - 2}.yaml: note_01 goes next week"]

    cache = LoadCache(tmp_path / "cache")
    pooled = load_desired([templates], settings, cache=cache, workers=workers, pool_from=1)
    assert snapshot(pooled) == uncached
    warm = load_desired([templates], settings, cache=cache, workers=workers, pool_from=1)
    assert warm._templates is None and snapshot(warm) == uncached

    # The first file from the cache, the last one checked anew: still the same duplicate.
    write_notes(templates, body(0).replace(" ", "\\t"))
    partly = load_desired([templates], settings, cache=cache, workers=workers, pool_from=1)
    assert snapshot(partly) == snapshot(load_desired([templates], settings, workers=1))
    assert lc8(partly) == (found, waived)

    # No longer a duplicate: the footer differs.
    write_notes(templates, body(0), last_footer="Desk")
    assert lc8(load_desired([templates], settings, cache=cache, workers=workers, pool_from=1)) == (
        [],
        waived,
    )
