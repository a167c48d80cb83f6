"""The TEST spider for ``crawler/outlets/rendertest.py``: defined only when ``RUSPRESS_TEST_OUTLETS=1``."""

import os

from crawler.outlets.rendertest import TEST_OUTLETS_ENV
from crawler.spiders.base import OutletSpider

if os.environ.get(TEST_OUTLETS_ENV) == "1":

    class RenderTestSpider(OutletSpider):
        """Synthetic JavaScript-rendering test site (tests/sites/render/)."""

        name = "rendertest"
        outlet_key = "rendertest"
