from crawler.spiders.base import OutletSpider


class HolodSpider(OutletSpider):
    """Holod / «Холод» (holod.media)."""

    name = "holod"
    outlet_key = "holod"
