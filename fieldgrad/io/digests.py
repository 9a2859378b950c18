"""Whole-file and whole-state digests of checkpoints (format 2).

The file starts with a 512-byte HDF5 user block (h5py: ``userblock_size=512``; HDF5 tools skip
it) holding the text ``FIELDGRAD-CHECKPOINT``, the format version, the number of bytes after the
block and their SHA-256, padded with zero bytes.  :func:`verify_header` checks all 512 bytes
and the digest before libhdf5 opens the file.  :func:`state_digest` covers the decoded state.

Example
-------
>>> import tempfile
>>> h = header(3, hashlib.sha256(b"abc").hexdigest(), 2)
>>> len(h), h.splitlines()[0]
(512, b'FIELDGRAD-CHECKPOINT')
>>> with tempfile.TemporaryFile() as fh:
...     _ = fh.write(h + b"abd"); _ = fh.seek(0)
...     verify_header("f.h5", fh, 2)
Traceback (most recent call last):
fieldgrad.errors.FileFormatError: f.h5 is a damaged fieldgrad checkpoint: the checksum of its contents does not match (the file was altered after it was written)
"""
from __future__ import annotations

import hashlib
import mmap
import os

import numpy as np

from ..errors import FileFormatError

#: Size of the HDF5 user block that carries the whole-file digest.
USERBLOCK = 512
MAGIC = b"FIELDGRAD-CHECKPOINT\n"


def header(size, digest, version):
    """The 512-byte user block: magic, version, payload length and digest, zero padded."""
    text = MAGIC + f"format {version}\nbytes {size}\nsha256 {digest}\n".encode("ascii")
    return text + b"\0" * (USERBLOCK - len(text))


def hash_file(fh, start, size):
    """SHA-256 of ``size`` bytes of an open file from ``start`` (memory-mapped: no copies)."""
    h = hashlib.sha256()
    if size <= 0:
        return h.hexdigest()
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        view = memoryview(mm)
        try:
            h.update(view[start:start + size])
        finally:
            view.release()
    return h.hexdigest()


def canonical(value):
    """Bytes that identify an attribute value (strings as UTF-8, numbers with dtype and shape)."""
    if isinstance(value, bytes):
        return b"b" + value
    if isinstance(value, str):
        return b"s" + value.encode("utf-8", "surrogatepass")
    arr = np.asarray(value)
    if arr.dtype.kind in "OSU":
        return b"o" + repr(arr.tolist()).encode()
    return f"{arr.dtype.str}{arr.shape}".encode() + np.ascontiguousarray(arr).tobytes()


def state_digest(root_attrs, arrays):
    """SHA-256 of the decoded state: every root attribute (t, step, grid, params, versions) and,
    per array, its path, attributes, dtype and shape.  The array bytes are covered by the
    whole-file digest, checked before the file is opened; hashing them twice would double the
    cost of a restart for no further protection."""
    h = hashlib.sha256(b"fieldgrad-checkpoint-state\0")

    def put(b):
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)

    for key in sorted(root_attrs):
        if key != "state_sha256":
            put(key.encode())
            put(canonical(root_attrs[key]))
    for path in sorted(arrays):
        attrs, arr = arrays[path]
        put(path.encode())
        for key in sorted(attrs):
            put(key.encode())
            put(canonical(attrs[key]))
        put(f"{arr.dtype.str}{arr.shape}".encode())
    return h.hexdigest()


def verify_header(path, fh, max_version):
    """Check the user block and the digest of every byte after it; raise FileFormatError."""
    head = fh.read(USERBLOCK)
    try:
        lines = head[len(MAGIC):].split(b"\0", 1)[0].decode("ascii").splitlines()
        fields = dict(line.split(" ", 1) for line in lines)
        version, size, digest = int(fields["format"]), int(fields["bytes"]), fields["sha256"]
    except (UnicodeDecodeError, ValueError, KeyError):
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: its header is unreadable") from None
    if version > max_version:
        raise FileFormatError(f"{path} has checkpoint format version {version}; this fieldgrad reads up to "
                              f"{max_version}")
    if head != header(size, digest, version):
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: its header is altered")
    actual = os.fstat(fh.fileno()).st_size - USERBLOCK
    if actual != size:
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: {actual} bytes after the header, "
                              f"{size} written (truncated or extended)")
    if hash_file(fh, USERBLOCK, size) != digest:
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: the checksum of its contents does "
                              "not match (the file was altered after it was written)")
