from crawler.spiders.base import OutletSpider


class MoscowTimesSpider(OutletSpider):
    """The Moscow Times, English edition (www.themoscowtimes.com)."""

    name = "moscowtimes"
    outlet_key = "moscowtimes"
