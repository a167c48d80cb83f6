from crawler.spiders.base import OutletSpider


class TVRainSpider(OutletSpider):
    """TV Rain / Дождь (tvrain.tv)."""

    name = "tvrain"
    outlet_key = "tvrain"
