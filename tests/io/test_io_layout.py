"""Layout helpers: chunk shapes stay within one frame and the size cap; the direct-chunk frame
write stores exactly the array for every chunking (full, partial edge, non-slab)."""
import math

import h5py
import numpy as np
import pytest

from fieldgrad.io import layout


@pytest.mark.parametrize("frame, itemsize", [((128, 128, 128), 8), ((3, 128, 128, 128), 8), ((2, 2049, 2049), 4),
                                             ((5, 7), 8), ((1000, 1000, 10), 8)])
def test_frame_chunks_one_frame_or_smaller(frame, itemsize):
    chunk = layout.frame_chunks(frame, itemsize)
    assert chunk[0] == 1 and len(chunk) == len(frame) + 1
    assert all(1 <= c <= n for c, n in zip(chunk[1:], frame))
    assert math.prod(chunk) * itemsize <= max(layout.CHUNK_BYTES, itemsize * math.prod(frame[-1:]))


@pytest.mark.parametrize("shape, chunk, compression", [
    ((3, 7, 5, 4), (1, 1, 3, 5, 4), None), ((7, 5, 4), (1, 7, 5, 4), None), ((9, 6), (1, 4, 6), None),
    ((2, 9, 6), (1, 1, 2, 6), None), ((9, 6), (1, 3, 3), None), ((9, 6), (1, 4, 6), "gzip"),
])
def test_write_frame_is_exact(tmp_path, shape, chunk, compression):
    rng = np.random.default_rng(1)
    with h5py.File(tmp_path / "w.h5", "w", libver="latest") as f:
        d = f.create_dataset("d", shape=(3,) + shape, maxshape=(None,) + shape, chunks=chunk, dtype="f8",
                             compression=compression)
        frames = [rng.standard_normal(shape) for _ in range(3)]
        for i, a in enumerate(frames):
            layout.write_frame(d, i, a)
        layout.write_frame(d, 1, frames[1].astype(np.float32))  # converted on the way in
        for i, a in enumerate(frames):
            want = a.astype(np.float32).astype(np.float64) if i == 1 else a
            assert d[i].tobytes() == want.tobytes()
