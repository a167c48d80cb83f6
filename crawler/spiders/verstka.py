from crawler.spiders.base import OutletSpider


class VerstkaSpider(OutletSpider):
    """Verstka / «Вёрстка» (verstka.media): articles from the full-text feed where pages are challenged."""

    name = "verstka"
    outlet_key = "verstka"
