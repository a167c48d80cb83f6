from crawler.spiders.base import OutletSpider


class TheInsiderSpider(OutletSpider):
    """The Insider (theins.ru), Russian edition."""

    name = "theinsider"
    outlet_key = "theinsider"
