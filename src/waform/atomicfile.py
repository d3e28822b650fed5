"""Writing a file so that readers see the old content or the new one, never half of it.

Used for everything waform writes for the user to keep: saved plans (``plan --out``) and
imported templates. The text goes to a temporary file in the destination's directory, is
flushed to disk, and then takes the destination's name in one step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str, *, replace: bool = True) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends, mode 0644) to ``path`` atomically.

    ``replace=False`` never overwrites: the last step is a hard link, which fails with
    :class:`FileExistsError` if ``path`` appeared in the meantime — the promise holds even
    against a concurrent writer. Raises :class:`OSError`; the temporary file never stays behind.
    """
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            finally:
                os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
