import gzip

import pytest

from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap
from crawler.discovery.xml import DiscoveryError

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://static.themoscowtimes.com/sitemap/2023-8.xml</loc><lastmod>2023-08-31T23:00:00+03:00</lastmod></sitemap>
<sitemap><loc>https://static.themoscowtimes.com/sitemap/2023-7.xml</loc></sitemap>
</sitemapindex>"""

NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://meduza.io/news/2026/11/27/a</loc>
  <image:image><image:loc>https://meduza.io/i.jpg</image:loc><image:title>Фото</image:title></image:image>
  <news:news><news:publication><news:name>Медуза</news:name><news:language>ru</news:language></news:publication>
  <news:publication_date>2026-11-27T10:00:00+03:00</news:publication_date><news:title>Заголовок</news:title></news:news>
</url>
</urlset>""".encode()


def test_sitemap_index_entries():
    sitemap = parse_sitemap(INDEX)
    assert sitemap.kind == "sitemapindex" and not sitemap.malformed
    assert [e.loc for e in sitemap.entries][1].endswith("2023-7.xml")
    assert sitemap.entries[0].lastmod == "2023-08-31T23:00:00+03:00"


def test_google_news_tags_are_kept():
    entry = parse_sitemap(NEWS).entries[0]
    assert entry.loc == "https://meduza.io/news/2026/11/27/a"
    assert entry.news_publication_date == "2026-11-27T10:00:00+03:00"
    assert entry.news_title == "Заголовок"


def test_gzipped_sitemap_is_read_whatever_its_name():
    assert parse_sitemap(gzip.compress(INDEX)).kind == "sitemapindex"


def test_malformed_sitemap_keeps_readable_entries():
    truncated = INDEX[: INDEX.index(b"<sitemap><loc>https://static.themoscowtimes.com/sitemap/2023-7") + 30]
    sitemap = parse_sitemap(truncated)
    assert sitemap.malformed
    assert [e.loc for e in sitemap.entries] == ["https://static.themoscowtimes.com/sitemap/2023-8.xml"]


@pytest.mark.parametrize("body", [b"", b"<html><body>Not found</body></html>", b"\x1f\x8b garbage"])
def test_unreadable_sitemaps_raise_a_clear_error(body):
    with pytest.raises(DiscoveryError):
        parse_sitemap(body)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = f"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/&x;</loc></url></urlset>""".encode()
    entries = parse_sitemap(body).entries
    assert all("TOP-SECRET" not in e.loc for e in entries)


def test_gzip_bomb_is_refused():
    with pytest.raises(DiscoveryError, match="inflates"):
        parse_sitemap(gzip.compress(b" " * 2_000_000), max_size=1_000_000)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title>
<item><title>Новость</title><link>https://verstka.media/slug/</link><pubDate>Fri, 27 Nov 2026 10:00:00 +0300</pubDate>
<dc:creator><![CDATA[Анна Петрова]]></dc:creator><category>Новости</category>
<content:encoded><![CDATA[<p>Полный текст.</p>]]></content:encoded></item>
<item><title>No link</title></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><link rel="alternate" href="https://example.org/a"/><updated>2026-11-27T10:00:00Z</updated>
<author><name>Jane Roe</name></author></entry></feed>"""


def test_rss_entries_with_full_text():
    (entry,) = parse_feed(RSS)
    assert entry.link == "https://verstka.media/slug/"
    assert entry.published == "Fri, 27 Nov 2026 10:00:00 +0300"
    assert entry.content == "<p>Полный текст.</p>"
    assert entry.authors == ("Анна Петрова",) and entry.categories == ("Новости",)


def test_atom_entries():
    (entry,) = parse_feed(ATOM)
    assert entry.link == "https://example.org/a" and entry.updated == "2026-11-27T10:00:00Z"
    assert entry.authors == ("Jane Roe",)
