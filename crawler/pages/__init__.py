"""Page parsers: a generic base (JSON-LD, OpenGraph, generic text) and one subclass per outlet.

This file makes ``crawler.pages`` a regular package: Scrapyd runs the project from a zipped egg, and
zipimport cannot import namespace packages (folders without ``__init__.py``).
"""
