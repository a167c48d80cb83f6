"""Learned boilerplate as pure functions: counting (learning) and deciding (removing), on articles written
for this project (Russian, Holod's shape; the crawl of the same situation is tests/integration/
test_learned_boilerplate.py)."""

from __future__ import annotations

from crawler import outlets
from crawler.boilerplate.appeals import classifier_for, outlet_names
from crawler.boilerplate.learning import ArticleBlocks, Policy, count, decide, fingerprint, normalise, record, runs
from crawler.state.records import BOILERPLATE, CONTENT, UNDECIDED, LearnedBlock

CLASSIFIER = classifier_for(outlet_names(outlets.get("holod")))
NOW = "2026-10-20T10:00:00+00:00"

# an appeal nobody wrote a rule for: two paragraphs that say nothing promotional, then one that asks
APPEAL = [
    "Пока вы читаете этот текст, наши корреспонденты работают там, куда другие журналисты давно не ездят.",
    "Такие поездки стоят дорого, а рекламы у нас нет с 2022 года.",
    "Если можете, станьте постоянным меценатом «Холода» — это делается в два клика.",
]
BACKGROUND = "Закон об «иностранных агентах» действует с 2012 года; с 2022-го статус можно получить без иностранного денег."
LEGAL = "Meta, которой принадлежат Facebook и Instagram, признана в России экстремистской организацией и запрещена."


def story(n: int) -> list[str]:
    return [f"Абзац {k} материала номер {n}: у каждой статьи свой текст о событиях дня {n}." for k in range(1, 5)]


def corpus() -> list[ArticleBlocks]:
    """12 articles over 12 days: the appeal in 10 (at the end, in the middle, at the start), the background
    sentence in 5 (middle), the legal note in 4 (once right before the appeal)."""
    articles = []
    for n in range(12):
        body = story(n)
        if n in (1, 3, 5, 7, 9):
            body.insert(2, BACKGROUND)
        if n in (2, 4, 6, 8):
            body.insert(1, LEGAL)
        if n == 8:
            body.append(LEGAL.replace("запрещена", "запрещена на территории страны"))  # not verbatim: its own
        if n < 10:
            at = {0: len(body), 1: 2, 2: 0}[n % 3]
            body[at:at] = APPEAL
        if n == 6:  # the legal note right before the appeal, at the end
            body.remove(LEGAL)
            body.insert(body.index(APPEAL[0]), LEGAL)
        articles.append(ArticleBlocks.of(f"https://holod.media/2026/10/{n + 1:02d}/s{n}/", body, f"2026-10-{n + 1:02d}"))
    return articles


def learn(articles: list[ArticleBlocks], table: dict | None = None) -> dict[str, LearnedBlock]:
    table = {} if table is None else table
    for article in articles:
        count(table, "holod", article, NOW)
    return table


def cleaned(article: ArticleBlocks, table: dict, policy: Policy = Policy()) -> list[str]:
    evidence = [CLASSIFIER.evidence(p) for p in article.paragraphs]
    verdicts = decide(article, table, evidence, policy)
    record(article, table, verdicts)
    return [p for v in verdicts if not v.removed for p in article.paragraphs[v.start:v.end + 1]]


def test_fingerprint_ignores_case_punctuation_spacing_and_yo():
    assert normalise("  Ещё — «ТЕКСТ»,  да!") == "еще текст да"
    assert fingerprint("Ещё текст.") == fingerprint("еще   ТЕКСТ") != fingerprint("еще текст два")


def test_counts_distinct_articles_once_each_with_edge_and_days():
    articles = corpus()
    table = learn(articles)
    appeal = table[fingerprint(APPEAL[0])]
    assert appeal.articles == 10 and appeal.added == 10
    assert appeal.edge == 3  # its first paragraph starts the body in 3 articles (n % 3 == 2)
    assert table[fingerprint(APPEAL[2])].edge == 4  # its last one ends the body in 4 (n % 3 == 0)
    assert (appeal.first_day, appeal.last_day) == ("2026-10-01", "2026-10-10")
    repeated = ArticleBlocks.of("u", [APPEAL[1], "x", APPEAL[1]], "2026-10-20")
    count(table, "holod", repeated, NOW)
    assert table[fingerprint(APPEAL[1])].articles == 11  # twice in one article: one more article


def test_first_crawl_appeal_removed_everywhere_recurring_content_kept():
    articles = corpus()
    table = learn(articles)
    for n, article in enumerate(articles):
        body = cleaned(article, table)
        assert not any(p in body for p in APPEAL), (n, body)
        assert body[:len(story(n))] == story(n) or all(p in body for p in story(n))
        assert (BACKGROUND in body) == (BACKGROUND in article.paragraphs)
        assert (LEGAL in body) == (LEGAL in article.paragraphs)
    rows = {p: table[fingerprint(p)] for p in APPEAL + [BACKGROUND, LEGAL]}
    assert {rows[p].decision for p in APPEAL} == {BOILERPLATE} and {rows[p].kind for p in APPEAL} == {"membership"}
    assert rows[BACKGROUND].decision == CONTENT and rows[LEGAL].decision == CONTENT


def test_without_learning_the_classifier_alone_leaves_most_of_the_appeal():
    article = corpus()[0]
    body = cleaned(article, {})
    assert APPEAL[2] not in body  # an appeal on its own evidence
    assert APPEAL[0] in body and APPEAL[1] in body  # only recurrence shows these are part of it


def test_the_legal_note_next_to_the_appeal_is_not_part_of_its_run():
    articles = corpus()
    table = learn(articles)
    article = articles[6]
    start = article.paragraphs.index(LEGAL)
    assert article.paragraphs[start + 1] == APPEAL[0]
    found = runs(article, table, Policy())
    assert (start, start) in found and (start + 1, start + 3) in found


def test_recurrence_within_one_day_is_not_enough():
    same_day = [ArticleBlocks.of(f"u{n}", story(n) + [APPEAL[2]], "2026-10-01") for n in range(5)]
    table = learn(same_day)
    evidence = [CLASSIFIER.evidence(p) for p in same_day[0].paragraphs]
    verdicts = decide(same_day[0], table, evidence)
    assert [v.source for v in verdicts if v.removed] == ["appeal"]  # only the classifier's own verdict
    assert table[fingerprint(APPEAL[2])].decision == UNDECIDED or not verdicts[-1].new


def test_weak_promotion_is_enough_only_when_it_recurs():
    promo = "Наш телеграм-канал — это самые важные новости дня в одном месте."  # promotional, not an appeal
    assert CLASSIFIER.evidence(promo).promotional and not CLASSIFIER.evidence(promo).appeal
    one = ArticleBlocks.of("u0", story(0) + [promo], "2026-10-01")
    assert promo in cleaned(one, learn([one]))
    articles = [ArticleBlocks.of(f"u{n}", story(n) + [promo], f"2026-10-{n + 1:02d}") for n in range(4)]
    table = learn(articles)
    assert promo not in cleaned(articles[3], table) and table[fingerprint(promo)].kind == "telegram"


def test_recurring_credits_and_links_at_the_edge_go_labels_in_the_middle_stay():
    credit, link, own = "Обложка: иллюстрация редакции", "vk.com/club1234567", "t.me/holodmedia"
    articles = [ArticleBlocks.of(f"u{n}", [credit] + story(n) + [link], f"2026-10-{n + 1:02d}") for n in range(4)]
    table = learn(articles)
    assert cleaned(articles[0], table) == story(0)
    assert table[fingerprint(credit)].kind == "credits" and table[fingerprint(link)].kind == "other"
    assert CLASSIFIER.evidence(own).promotional  # the outlet's own channel: self-promotion
    label = "Фото: архив редакции"
    middle = [ArticleBlocks.of(f"m{n}", story(n)[:2] + [label] + story(n)[2:], f"2026-10-{n + 1:02d}")
              for n in range(4)]
    table = learn(middle)
    assert label in cleaned(middle[0], table)


def test_pins_override_the_counts():
    articles = corpus()
    table = learn(articles)
    table[fingerprint(APPEAL[0])].pinned = True
    table[fingerprint(APPEAL[0])].decision = CONTENT
    table[fingerprint(BACKGROUND)].pinned = True
    table[fingerprint(BACKGROUND)].decision = BOILERPLATE
    body = cleaned(articles[1], table)
    assert APPEAL[0] in body and APPEAL[1] not in body and APPEAL[2] not in body
    assert BACKGROUND not in body
    evidence = [CLASSIFIER.evidence(p) for p in articles[1].paragraphs]
    sources = {v.source for v in decide(articles[1], table, evidence) if v.removed}
    assert sources == {"pinned", "learned"}


def test_new_is_reported_once_and_decisions_are_recorded():
    articles = corpus()
    table = learn(articles)
    news = []
    for article in articles:
        evidence = [CLASSIFIER.evidence(p) for p in article.paragraphs]
        verdicts = decide(article, table, evidence)
        news += [v for v in verdicts if v.new]
        record(article, table, verdicts)
    assert len(news) == 1 and news[0].kind == "membership" and news[0].end - news[0].start == 2
    assert table[fingerprint(APPEAL[1])].changed


def test_smaller_threshold_policy():
    articles = corpus()[:2]
    table = learn(articles)
    assert APPEAL[0] in cleaned(articles[0], table)  # 2 articles: not yet
    assert APPEAL[0] not in cleaned(articles[0], table, Policy(min_articles=2))
