from crawler.spiders.base import OutletSpider


class MoscowTimesRuSpider(OutletSpider):
    """The Moscow Times, Russian edition (ru.themoscowtimes.com): same CMS as the English site."""

    name = "moscowtimes_ru"
    outlet_key = "moscowtimes_ru"
