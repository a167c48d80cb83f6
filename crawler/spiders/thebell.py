from crawler.spiders.base import OutletSpider


class TheBellSpider(OutletSpider):
    """The Bell (thebell.io): GraphQL discovery with the full content; each article's page is fetched too."""

    name = "thebell"
    outlet_key = "thebell"
