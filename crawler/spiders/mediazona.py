from crawler.spiders.base import OutletSpider


class MediazonaSpider(OutletSpider):
    """Mediazona (zona.media)."""

    name = "mediazona"
    outlet_key = "mediazona"
