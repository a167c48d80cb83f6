from crawler.spiders.base import OutletSpider


class IStoriesSpider(OutletSpider):
    """iStories / Важные истории (istories.media), Russian edition."""

    name = "istories"
    outlet_key = "istories"
