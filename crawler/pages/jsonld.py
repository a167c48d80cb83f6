"""JSON-LD as sites really write it: read strictly when it is JSON, else repaired, else field by field.

A page's JSON-LD can be the only sign that it is an article (The Moscow Times sends no ``og:type``),
so one stray comma must not cost the article. :func:`parse` tries, in order:

1. ``json``: the text as it is (raw tabs and newlines inside strings are accepted);
2. ``repaired``: HTML comment / CDATA wrappers, ``/* */`` and ``//`` comments and trailing commas
   removed, HTML entities (``&quot;``) decoded when the whole script was escaped;
3. ``salvaged``: the outermost object read member by member, keeping every ``"key": value`` that
   parses on its own (a truncated script keeps what came before the cut; a broken value loses only
   its field);
4. ``unreadable``: nothing usable.

A value nested so deep that Python's JSON reader runs out of recursion (about 1,000 levels) loses
its field (``salvaged``), or the script is ``too_deep`` and skipped. :func:`walk` lists a document's objects (top level, lists, ``@graph``) without
recursion.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?://\s*\]\]>|\]\]>|-->)\s*$")


def parse(raw: str) -> tuple[Any, str]:
    """``(data, how)``: ``how`` is ``json``, ``repaired``, ``salvaged``, ``too_deep`` or ``unreadable``
    (then ``data`` is None)."""
    try:
        return json.loads(raw, strict=False), "json"  # strict=False: control characters inside strings
    except RecursionError:  # keep the fields that are not nested too deep
        members = salvage(raw)
        return (members, "salvaged") if members else (None, "too_deep")
    except ValueError:
        pass
    text = repair(raw)
    data = _loads(text)
    if data is not None:
        return data, "repaired"
    members = salvage(text)
    if members:
        return members, "salvaged"
    return None, "unreadable"


def _loads(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def repair(raw: str) -> str:
    text = _WRAPPERS.sub("", raw.strip())
    if "&quot;" in text or "&#34;" in text:
        if '"' not in text.replace("&quot;", "").replace("&#34;", ""):  # the whole script was escaped
            text = html.unescape(text)
    return _strip(text)


def _strip(text: str) -> str:
    """Comments and trailing commas removed, strings left alone."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        elif text.startswith("//", i):
            close = text.find("\n", i)
            i = n if close < 0 else close
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i = j  # a trailing comma
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """Index after the string that opens at ``start`` (the end of the text if it never closes)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return len(text)


def salvage(text: str) -> dict[str, Any]:
    """The members of the outermost object that parse on their own."""
    start = text.find("{")
    if start < 0:
        return {}
    found: dict[str, Any] = {}
    for member in _members(text, start + 1):
        key_end = _string_end(member, 0) if member.startswith('"') else -1
        if key_end < 0:
            continue
        key = _loads(member[:key_end])
        rest = member[key_end:].lstrip()
        if not isinstance(key, str) or not rest.startswith(":"):
            continue
        value = _loads(rest[1:])
        if value is not None:
            found[key] = value
    return found


def _members(text: str, i: int) -> Iterator[str]:
    """The text of each member of the object whose body starts at ``i``, split at depth-0 commas."""
    depth, begin, n = 0, i, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i = _string_end(text, i)
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            if depth == 0:
                yield text[begin:i].strip()
                return
            depth -= 1
        elif c == "," and depth == 0:
            yield text[begin:i].strip()
            begin = i + 1
        i += 1
    # truncated: the last member is incomplete and does not parse on its own


def walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document: the top level, list entries, ``@graph`` members (in order)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if graph is not None:
                stack.append(graph)
