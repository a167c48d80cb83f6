from crawler.spiders.base import OutletSpider


class RepublicSpider(OutletSpider):
    """Republic (republic.ru): paywalled, sitemap discovery only."""

    name = "republic"
    outlet_key = "republic"
