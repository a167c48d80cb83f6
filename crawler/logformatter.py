"""Log lines for items, shorter than Scrapy's: an item a pipeline failed on is named by its URL.

Scrapy's ``item_error`` line prints the whole item (the article's body included) before the
traceback; here it is ``Pipeline error on <url>: <ExceptionType>: <message>; the item is not exported``
(the traceback follows, once). The health report counts them (``pipeline/error/<ExceptionType>``).
Set as ``LOG_FORMATTER``.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import logformatter


class LogFormatter(logformatter.LogFormatter):
    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        try:
            url = ItemAdapter(item).get("url") or "?"
        except TypeError:
            url = "?"
        return {
            "level": logging.ERROR,
            "msg": "Pipeline error on %(url)s: %(error)s; the item is not exported",
            "args": {"url": url, "error": f"{type(exception).__name__}: {str(exception)[:200]}"},
        }
