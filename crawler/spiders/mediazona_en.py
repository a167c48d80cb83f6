from crawler.spiders.base import OutletSpider


class MediazonaEnSpider(OutletSpider):
    """Mediazona, English edition (en.zona.media)."""

    name = "mediazona_en"
    outlet_key = "mediazona_en"
