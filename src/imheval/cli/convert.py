"""``imheval convert``: see :func:`imheval.interop.convert`."""
