"""File-system failures while writing a report, told in the user's terms.

A read-only or full output folder is not a bug: :func:`output_error` turns the
``OSError`` into a ``PipelineError`` that names the folder, says what went wrong and that
the last good report was not touched.
"""

from __future__ import annotations

import errno
from pathlib import Path

from arviointi.errors import PipelineError

_CAUSES = {
    errno.EACCES: "permission denied: the folder is not writable for this user",
    errno.EPERM: "operation not permitted: the folder is not writable for this user",
    errno.EROFS: "the folder is on a read-only file system",
    errno.ENOSPC: "the disk is full (no space left on the device)",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.ENAMETOOLONG: "a file name is too long for the file system",
}


def output_error(exc: OSError, root: Path, run_id: str, previous: str) -> PipelineError:
    """A ``PipelineError`` for an ``OSError`` raised while writing into ``root``."""
    cause = _CAUSES.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    where = f" ({exc.filename})" if exc.filename else ""
    return PipelineError(
        f"{run_id}: writing the report into {root} failed{where}: {cause}; {previous}. "
        "Free space or choose a writable folder with --output (or report.output_dir)"
    )
