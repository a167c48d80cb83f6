from crawler.spiders.base import OutletSpider


class MeduzaSpider(OutletSpider):
    """Meduza in Russian (meduza.io): search API + RSS; body from the API record."""

    name = "meduza"
    outlet_key = "meduza"


class MeduzaEnSpider(OutletSpider):
    """Meduza in English (meduza.io/en): same API and markup as the Russian site."""

    name = "meduza_en"
    outlet_key = "meduza_en"
