"""Text rules: the seed's appeal blocks go, article paragraphs (even about donations) stay."""

from pathlib import Path

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.pipelines.clean import CleanPipeline
from crawler.text import join_paragraphs, split_paragraphs

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "moscowtimes-a82219-naive-extraction.txt"


def clean(paragraphs: list[str], outlet: str = "moscowtimes") -> tuple[Article, dict]:
    stats = MemoryStatsCollector(get_crawler())
    item = Article(url="https://example.org/a", outlet=outlet, body=join_paragraphs(paragraphs))
    CleanPipeline(stats).process_item(item)
    return item, stats.get_stats()


def seed_paragraphs() -> list[str]:
    return [line.strip() for line in SEED.read_text("utf-8").splitlines() if line.strip()]  # one block a line


def test_seed_body_is_exactly_the_seven_article_paragraphs():
    paragraphs = seed_paragraphs()
    start = next(i for i, p in enumerate(paragraphs) if p.startswith("Russian military officials"))
    item, stats = clean(paragraphs[start:])
    body = split_paragraphs(item.body)
    assert len(body) == 7
    assert body[0].startswith("Russian military officials including Moscow's deputy defense minister")
    assert body[-1].startswith("Wagner maintains a strong military presence in Africa")
    for gone in ("Sign up for our free weekly newsletter", "Subscribers agree", "A Message from The Moscow Times",
                 "Dear readers", "unprecedented challenges", "support us monthly", "Remind me later",
                 "Read more", "paiment methods", "Not ready to support today"):
        assert gone not in item.body
    assert stats["clean/text/donation"] == 1 and stats["clean/text/newsletter"] == 1
    assert stats["clean/text/read_more"] == 1
    assert stats["clean/blocks_removed"] == 3
    assert item.word_count == len(item.body.split())


@pytest.mark.parametrize("paragraph", [
    "The Moscow Times asked readers to support independent journalism after it was labeled a foreign agent in 2020.",
    "Read more about the sanctions in our explainer, which lists every company named by the Treasury on Friday, "
    "together with the amounts of frozen assets.",
    "Dear readers of the regional paper were told to expect delays, the governor's office said.",
    "Фонд «Русь сидящая» призвал поддержать семьи осуждённых: по его данным, регулярные пожертвования "
    "за год сократились вдвое, а число запросов о помощи выросло. Об этом говорится в отчёте фонда, "
    "опубликованном в понедельник, где перечислены все программы, закрытые из-за нехватки денег, "
    "и названы регионы, где ситуация хуже всего; авторы отчёта отдельно отмечают давление силовиков "
    "на тех, кто переводит деньги, и уголовные дела о «финансировании» организаций, признанных "
    "нежелательными.",
    "Минюст в пятницу признал иностранным агентом журналиста издания, сообщил его адвокат.",
])
def test_article_paragraphs_that_mention_donations_survive(paragraph):
    item, stats = clean(["Opening paragraph of the story.", paragraph, "Closing paragraph."], outlet="moscowtimes")
    assert paragraph in item.body
    assert "clean/blocks_removed" not in stats


@pytest.mark.parametrize("appeal", [
    "Поддержите независимую журналистику — оформите ежемесячное пожертвование.",
    "Нам очень нужна ваша помощь. Пожалуйста, поддержите нас.",
    "Читайте также: Как устроена новая система штрафов",
    "Подпишитесь на наш телеграм-канал, чтобы не пропускать главное.",
    "Support The Moscow Times!",
])
def test_appeals_are_removed(appeal):
    item, stats = clean(["Opening paragraph of the story.", appeal, "Closing paragraph."])
    assert appeal not in item.body
    assert item.body == "Opening paragraph of the story.\n\nClosing paragraph."
    assert stats["clean/blocks_removed"] == 1


def test_foreign_agent_disclaimer_is_removed_and_kept_as_flag():
    label = ("ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ) СОЗДАНО И (ИЛИ) РАСПРОСТРАНЕНО ИНОСТРАННЫМ СРЕДСТВОМ МАССОВОЙ "
             "ИНФОРМАЦИИ, ВЫПОЛНЯЮЩИМ ФУНКЦИИ ИНОСТРАННОГО АГЕНТА, ЛИБО РОССИЙСКИМ ЮРИДИЧЕСКИМ ЛИЦОМ, "
             "ВЫПОЛНЯЮЩИМ ФУНКЦИИ ИНОСТРАННОГО АГЕНТА. 18+")
    item, stats = clean([label, "Текст новости."])
    assert item.body == "Текст новости."
    assert item.foreign_agent_label is True and item.foreign_agent_text == label
    assert stats["clean/text/foreign_agent"] == 1


def test_the_2022_foreign_agent_wording_is_flagged_too():
    label = ("НАСТОЯЩИЙ МАТЕРИАЛ (ИНФОРМАЦИЯ) ПРОИЗВЕДЕН, РАСПРОСТРАНЕН И (ИЛИ) НАПРАВЛЕН ИНОСТРАННЫМ АГЕНТОМ "
             "«ПРИМЕР» ЛИБО КАСАЕТСЯ ДЕЯТЕЛЬНОСТИ ИНОСТРАННОГО АГЕНТА «ПРИМЕР». 18+")
    item, _ = clean(["Текст новости.", label])
    assert item.body == "Текст новости." and item.foreign_agent_label is True
