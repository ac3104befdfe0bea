"""Reading an untrusted ZIP without unpacking it: size, ratio and name checks, bounded reads.

Nothing is ever written to disk: members are read into memory one at a time, each read
stopped as soon as the bytes actually inflated pass the member's declared size or the
limits (declared sizes are checked first, but never trusted alone).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Final

from strava_dash.errors import DataError

MiB: Final = 1 << 20
GiB: Final = 1 << 30
_CHUNK: Final = MiB
_DRIVE: Final = re.compile(r"^[A-Za-z]:")

Source = str | os.PathLike[str] | IO[bytes] | bytes | bytearray
"""A path to the ZIP, its bytes, or a binary file object (e.g. Streamlit's UploadedFile)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what an uploaded archive may make this process read (bytes unless noted).

    The defaults accept any real Strava export (photos do not compress, so a 1 GiB
    upload inflates to little more) and refuse ZIP bombs before they inflate.
    """

    max_archive_bytes: int = 1 * GiB
    """The ZIP file itself (compressed)."""
    max_total_bytes: int = 4 * GiB
    """All members together, uncompressed, as declared in the ZIP directory; also the
    budget of bytes actually inflated while reading it (nested ``.gz`` files included)."""
    max_ratio: float = 100.0
    """Uncompressed ÷ compressed size of one member (or ``.gz`` file) ..."""
    ratio_min_bytes: int = 1 * MiB
    """... checked only for members whose uncompressed size is above this."""
    max_members: int = 250_000
    """Entries in the ZIP directory."""
    max_csv_bytes: int = 256 * MiB
    """``activities.csv`` uncompressed."""
    max_track_bytes: int = 256 * MiB
    """One activity file (``.gpx``, ``.tcx``, ``.fit``) uncompressed, after ``.gz``."""
    max_activities: int = 250_000
    """Rows of ``activities.csv`` read (ten years of 60 activities a day). What the
    server holds grows with the rows, at least about 400 bytes each at the peak (rows
    stripped to the required cells), so such a CSV must not reach ``max_csv_bytes``."""


class BudgetExceeded(DataError):
    """Reading the archive inflated more bytes than its limits allow (a likely ZIP bomb)."""


class Budget:
    """Bytes still allowed to be inflated, shared by every read from one archive."""

    def __init__(self, total: int) -> None:
        self.left = total

    def take(self, n: int, what: str) -> None:
        self.left -= n
        if self.left < 0:
            raise BudgetExceeded(
                f"reading {what} inflated the archive past its total size limit; "
                "the upload is refused as a possible ZIP bomb"
            )


def open_zip(source: Source, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The ZIP, opened for reading after its size, directory and member names are checked.

    Raises:
        DataError: too big, not a ZIP, a declared size or ratio over the limits, or an
            unsafe member name (absolute path, ``..``, a drive letter).
    """
    stream = _as_stream(source, limits)
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise DataError(
            "the upload is not a ZIP file (or a damaged one); upload the export_….zip "
            "Strava e-mails you (Settings → My Account → Download or Delete Your Account → "
            f"Request your archive) as it is: {exc}"
        ) from exc
    except OSError as exc:
        raise DataError(f"cannot read the archive: {exc}") from exc
    try:
        check_directory(zf, limits)
    except DataError:
        zf.close()
        raise
    return zf


def _as_stream(source: Source, limits: ArchiveLimits) -> str | IO[bytes]:
    """What ``zipfile.ZipFile`` should open: a path (it then owns the handle) or a stream."""
    if isinstance(source, bytes | bytearray):
        _check_size(len(source), limits)
        return io.BytesIO(source)
    if isinstance(source, str | os.PathLike):
        try:
            size = os.path.getsize(source)
        except OSError as exc:
            raise DataError(f"cannot read the archive {os.fspath(source)!r}: {exc}") from exc
        _check_size(size, limits)
        return os.fspath(source)
    if not hasattr(source, "read"):
        raise DataError(
            f"expected a path, bytes or a binary file for the archive, got {type(source).__name__}"
        )
    if _seekable(source):
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start
        source.seek(start)
        _check_size(size, limits)
        return source
    # A one-way stream: read it into memory, never more than the limit allows.
    data = source.read(limits.max_archive_bytes + 1)
    if not isinstance(data, bytes | bytearray):
        raise DataError("the archive file must be opened in binary mode")
    _check_size(len(data), limits)
    return io.BytesIO(data)


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def _check_size(size: int, limits: ArchiveLimits) -> None:
    if size > limits.max_archive_bytes:
        raise DataError(
            f"the archive is {_human(size)}, more than the {_human(limits.max_archive_bytes)} "
            "this app accepts"
        )
    if size == 0:
        raise DataError("the upload is empty (0 bytes), not a Strava archive")


def check_directory(zf: zipfile.ZipFile, limits: ArchiveLimits) -> None:
    """Refuse the archive from its directory alone, before anything is inflated."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise DataError(
            f"the archive lists {len(infos):,} files, more than the {limits.max_members:,} allowed"
        )
    total = 0
    for info in infos:
        unsafe = unsafe_name(info.filename)
        if unsafe:
            raise DataError(
                f"the archive holds a file named {info.filename!r} ({unsafe}); "
                "a Strava export never does, so it is refused"
            )
        total += info.file_size
        check_ratio(info.filename, info.file_size, info.compress_size, limits)
    if total > limits.max_total_bytes:
        raise DataError(
            f"the archive would unpack to {_human(total)}, more than the "
            f"{_human(limits.max_total_bytes)} allowed; refused as a possible ZIP bomb"
        )


def check_ratio(name: str, size: int, compressed: int, limits: ArchiveLimits) -> None:
    if size > limits.ratio_min_bytes and size > limits.max_ratio * max(compressed, 1):
        raise DataError(
            f"{name!r} would inflate {size / max(compressed, 1):,.0f} times "
            f"({_human(compressed)} to {_human(size)}), more than the "
            f"{limits.max_ratio:g}:1 allowed; refused as a possible ZIP bomb"
        )


def unsafe_name(name: str) -> str:
    """Why a member or referenced path is unsafe (absolute, ``..``, drive letter), or ``""``."""
    path = name.replace("\\", "/")
    if "\x00" in path:
        return "a NUL character in the name"
    if path.startswith("/"):
        return "an absolute path"
    if _DRIVE.match(path):
        return "a drive letter"
    if ".." in path.split("/"):
        return "'..' in the path"
    return ""


def read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, budget: Budget, what: str
) -> bytes:
    """A member's bytes, inflated in chunks and stopped as soon as they pass ``cap``, the
    member's declared size or the archive's budget."""
    if info.flag_bits & 0x1:
        raise DataError(f"{what} is encrypted (password-protected); export the archive again")
    if info.file_size > cap:
        raise DataError(f"{what} is {_human(info.file_size)}, more than the {_human(cap)} allowed")
    bound = min(cap, info.file_size)
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                budget.take(len(chunk), what)
                if len(out) > bound:
                    raise DataError(
                        f"{what} inflates to more than its declared {_human(info.file_size)}; "
                        "refused as a possible ZIP bomb"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise DataError(f"{what} is damaged inside the ZIP: {exc}") from exc
    except NotImplementedError as exc:  # e.g. Deflate64 from Windows' "Send to ZIP"
        raise DataError(f"{what} uses a compression this app cannot read: {exc}") from exc
    return bytes(out)


@contextmanager
def open_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, budget: Budget, what: str
) -> Iterator[IO[bytes]]:
    """A member as a stream, with :func:`read_member`'s checks made as it is read: the
    whole member is never in memory at once (``activities.csv`` can be 250 MB)."""
    if info.flag_bits & 0x1:
        raise DataError(f"{what} is encrypted (password-protected); export the archive again")
    if info.file_size > cap:
        raise DataError(f"{what} is {_human(info.file_size)}, more than the {_human(cap)} allowed")
    with zf.open(info) as fh:
        raw = _Bounded(fh, min(cap, info.file_size), info.file_size, budget, what)
        yield io.BufferedReader(raw, _CHUNK)


class _Bounded(io.RawIOBase):
    """Reads through to a member, stopping past its declared size or the budget."""

    def __init__(self, fh: IO[bytes], bound: int, declared: int, budget: Budget, what: str):
        self._fh, self._bound, self._declared = fh, bound, declared
        self._budget, self._what, self._read = budget, what, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            chunk = self._fh.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise DataError(f"{self._what} is damaged inside the ZIP: {exc}") from exc
        except NotImplementedError as exc:  # e.g. Deflate64 from Windows' "Send to ZIP"
            raise DataError(f"{self._what} uses a compression this app cannot read: {exc}") from exc
        self._read += len(chunk)
        self._budget.take(len(chunk), self._what)
        if self._read > self._bound:
            raise DataError(
                f"{self._what} inflates to more than its declared {_human(self._declared)}; "
                "refused as a possible ZIP bomb"
            )
        buffer[: len(chunk)] = chunk
        return len(chunk)


def gunzip(data: bytes, cap: int, limits: ArchiveLimits, budget: Budget, what: str) -> bytes:
    """A ``.gz`` file's content, inflated in chunks and stopped past ``cap`` or the ratio."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while chunk := fh.read(_CHUNK):
                out += chunk
                budget.take(len(chunk), what)
                _check_inflated(len(out), len(data), cap, limits, what)
    except EOFError as exc:
        raise DataError(f"{what} is a truncated .gz file") from exc
    except (OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(f"{what} is not a valid .gz file: {exc}") from exc
    return bytes(out)


def _check_inflated(size: int, compressed: int, cap: int, limits: ArchiveLimits, what: str) -> None:
    if size > cap:
        raise DataError(f"{what} inflates to more than the {_human(cap)} allowed")
    check_ratio(what, size, compressed, limits)


def _human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GiB"  # pragma: no cover - the loop always returns
