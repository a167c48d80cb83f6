"""ruspress-crawler: a Scrapy project that crawls independent Russian media into clean article corpora."""
