"""One ``with`` protocol for the objects that hold a file or a run open until ``close()``.

Example
-------
>>> class Held(Closing):
...     def close(self):
...         print("closed")
>>> with Held() as h:
...     pass
closed
"""


class Closing:
    """Mixin: ``with obj:`` gives ``obj`` and calls ``obj.close()`` on leaving, on error too
    (the error then propagates). Used by :class:`fieldgrad.io.HDF5Writer`,
    :class:`fieldgrad.io.reader.OutputFile`, :class:`fieldgrad.Simulation` and
    :class:`fieldgrad.distributed.io.PartsWriter`."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
