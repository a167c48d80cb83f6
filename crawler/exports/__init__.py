"""Delivering a run's articles: where feeds go (local JSON Lines / JSON, or S3), the storages that
record what was stored (size, sha256) and keep failed uploads in a local spool, the run manifest, and
the redaction of credentials from logs.

The output add-on (``crawler.feeds.OutputAddon``) turns the ``OUTPUT_*`` settings into a ``FEEDS``
entry; everything else is registered in ``crawler/settings.py``.
"""
