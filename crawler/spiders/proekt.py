from crawler.spiders.base import OutletSpider


class ProektSpider(OutletSpider):
    """Proekt / «Проект» (www.proekt.media), Russian edition."""

    name = "proekt"
    outlet_key = "proekt"
