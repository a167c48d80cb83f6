from crawler.spiders.base import OutletSpider


class AgentstvoSpider(OutletSpider):
    """Agentstvo / «Агентство» (www.agents.media)."""

    name = "agentstvo"
    outlet_key = "agentstvo"
