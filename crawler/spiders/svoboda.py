from crawler.spiders.base import OutletSpider


class SvobodaSpider(OutletSpider):
    """Radio Svoboda (www.svoboda.org, RFE/RL Pangea CMS): Pangea RSS feed; page extraction."""

    name = "svoboda"
    outlet_key = "svoboda"
