from crawler.spiders.base import OutletSpider


class NovayaGazetaEuropeSpider(OutletSpider):
    """Novaya Gazeta Europe (novayagazeta.eu), Russian and English: main API + RSS; articles from the API."""

    name = "novayagazeta_eu"
    outlet_key = "novayagazeta_eu"
