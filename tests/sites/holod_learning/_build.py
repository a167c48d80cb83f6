"""Writes this fixture site from the texts below: ``python tests/sites/holod_learning/_build.py``.

Every text here was written for this project (invented news, names and numbers); the page shape is the
Holod fixture's (tests/sites/holod/README.md). Files whose names start with ``_`` are never served."""

from __future__ import annotations

import html
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = "https://holod.media"

# An appeal nobody wrote a rule for, injected as ordinary paragraphs of the post content: two paragraphs
# that say nothing promotional, then one that asks (the only one the content classifier catches alone).
APPEAL = [
    "Пока вы читаете этот текст, наши корреспонденты работают там, куда другие журналисты давно не ездят.",
    "Такие поездки стоят дорого, а рекламы у нас нет с 2022 года.",
    "Если можете, станьте постоянным меценатом «Холода» — это делается в два клика.",
]
# Recurring content that must stay: a background sentence and a standard legal note.
BACKGROUND = ("Закон об «иностранных агентах» действует в России с 2012 года; с 2022 года статус можно получить "
              "без всякого иностранного финансирования.")
LEGAL = "Meta, которой принадлежат Facebook и Instagram, признана в России экстремистской организацией и запрещена."

# (day in October 2026, slug, title, lead, author, paragraphs); BACKGROUND/LEGAL are placed by name
ARTICLES = [
    (1, "reestr-troe-zhurnalistov", "Минюст внес в реестр «иноагентов» трех региональных журналистов",
     "Все трое работали в изданиях, закрытых в прошлом году", "Анна Клюева", [
         "В пятницу Министерство юстиции дополнило реестр «иностранных агентов». В него попали трое журналистов из "
         "Пермского края и Удмуртии, которые писали о местных выборах.",
         "По данным министерства, они «распространяли недостоверную информацию о решениях органов власти». Сами "
         "журналисты узнали о решении из новостей.",
         "BACKGROUND",
         "Один из них, бывший редактор городского портала Илья Сомов, сказал «Холоду», что собирается обжаловать "
         "решение в суде, хотя не рассчитывает на успех.",
     ]),
    (2, "kazan-blogersha-shtraf", "В Казани блогершу оштрафовали за рекламу косметики",
     "Суд счел, что она не указала пометку «реклама»", "Петр Горин", [
         "Вахитовский районный суд Казани оштрафовал местную блогершу на 40 тысяч рублей за публикации в Instagram, "
         "в которых она рассказывала о косметике знакомого производителя.",
         "LEGAL",
         "Суд решил, что посты были рекламой без обязательной пометки. Сама блогерша утверждает, что не получала за "
         "них денег и просто поделилась мнением с подписчиками.",
         "Это уже третий подобный штраф в республике за осень.",
     ]),
    (3, "deputat-lishili-mandata", "Муниципального депутата в Москве лишили мандата после признания «иноагентом»",
     "Решение приняли на внеочередном заседании совета", "Анна Клюева", [
         "Совет депутатов района Зюзино досрочно прекратил полномочия депутата Марины Лисовой через неделю после того, "
         "как Минюст внес ее в реестр.",
         "За решение проголосовали восемь депутатов из двенадцати, еще двое воздержались.",
         "BACKGROUND",
         "Лисова называет решение незаконным: по ее словам, закон не требует лишать мандата за сам статус. Юристы, "
         "с которыми поговорил «Холод», расходятся во мнениях.",
     ]),
    (4, "kafe-zakryli-posty", "В Ярославле закрыли кафе после постов владелицы в Facebook",
     "Проверки начались через день после публикации", "Ольга Верес", [
         "Кафе в центре Ярославля закрылось после серии проверок Роспотребнадзора и пожарной инспекции. Проверки "
         "начались на следующий день после того, как владелица написала в Facebook о мобилизации своего повара.",
         "LEGAL",
         "Владелица говорит, что все нарушения, которые нашли инспекторы, были и раньше, но никто на них не обращал "
         "внимания.",
         "Она планирует открыть кафе заново под другим названием в соседнем городе.",
     ]),
    (5, "uchitel-uvolen-repost", "В Самаре уволили учительницу истории за репост материала «иноагента»",
     "Администрация школы ссылается на жалобу родителей", "Петр Горин", [
         "Учительницу истории одной из самарских школ уволили после того, как она поделилась у себя на странице "
         "статьей журналиста, признанного «иностранным агентом».",
         "BACKGROUND",
         "В администрации школы объяснили, что получили жалобу от родителей и «провели беседу». Сама учительница "
         "говорит, что заявление об увольнении ей предложили написать в тот же день.",
         "Она преподавала в этой школе 23 года.",
     ]),
    (6, "tomsk-knigi-zaklyuchennym", "Волонтеры в Томске собрали три тысячи книг для заключенных",
     "Книги отправят в колонии Сибири", "Ольга Верес", [
         "Томские волонтеры за месяц собрали около трех тысяч книг для библиотек сибирских колоний. Объявление о "
         "сборе они разместили в Instagram и в городских чатах.",
         "Больше всего приносили детективы и учебники по иностранным языкам. Словари, по словам организаторов, "
         "разбирают в колониях быстрее всего.",
         "Первую партию книг отправят в колонию под Мариинском в ноябре.",
         "LEGAL",
     ]),
    (7, "muzykant-otmenil-koncerty", "Музыкант из Екатеринбурга отменил тур после признания «иноагентом»",
     "Площадки сами расторгли договоры", "Анна Клюева", [
         "Екатеринбургский музыкант Денис Карпов отменил осенний тур по двенадцати городам. Площадки расторгли "
         "договоры с ним в течение недели после его включения в реестр.",
         "BACKGROUND",
         "Карпов говорит, что вернет деньги за все проданные билеты, хотя концертный промоутер уже потратил часть "
         "предоплаты.",
         "Свой новый альбом он выпустит без презентации.",
     ]),
    (8, "novosibirsk-fotograf-instagram", "Новосибирского фотографа вызвали на допрос из-за снимков в Instagram",
     "Его спрашивали о съемке у военкомата", "Петр Горин", [
         "Новосибирского фотографа Глеба Ранцева вызвали в Следственный комитет. Его спрашивали о серии снимков "
         "очереди у военкомата, опубликованной в Instagram год назад.",
         "LEGAL",
         "Ранцев говорит, что после допроса его отпустили, а статус в деле ему так и не объяснили.",
         "Снимки он из соцсети удалять не стал.",
     ]),
    (9, "perm-lektoriy-zakrylsya", "В Перми закрылся популярный лекторий",
     "Его основательницу признали «иноагентом» летом", "Ольга Верес", [
         "Пермский лекторий «Мост», где за пять лет прочитали больше тысячи лекций, объявил о закрытии. Помещение "
         "арендодатель отказался продлевать.",
         "BACKGROUND",
         "Основательница лектория уехала из России еще весной. Последнюю лекцию, о городской архитектуре 1920-х, "
         "прочитали при полном зале.",
         "Часть лекторов собирается продолжить выступать в книжных магазинах города.",
     ]),
    (10, "orenburg-pavodok-kompensacii", "Жители Орска до сих пор не получили компенсации за паводок",
     "Чиновники ссылаются на ошибки в документах", "Анна Клюева", [
         "Больше двухсот семей в Орске до сих пор не получили компенсации за дома, пострадавшие во время весеннего "
         "паводка.",
         "В администрации объясняют задержки ошибками в документах и повторными экспертизами. Жители говорят, что "
         "экспертизы назначают без объяснения причин.",
         "Несколько семей подали в суд. Первое заседание назначено на декабрь.",
     ]),
    (11, "zheleznodorozhniki-zabastovka", "Машинисты в Кирове отказались выходить на смены из-за долгов по зарплате",
     "Долги копились с лета", "Петр Горин", [
         "Около сорока машинистов пригородных поездов в Кирове не вышли на смены. Они требуют погасить долги по "
         "зарплате за три месяца.",
         "В компании-перевозчике заявили, что задержки связаны с неплатежами региона, и пообещали рассчитаться до "
         "конца месяца.",
         "Из-за отмены поездов жители пригородов добирались до города на автобусах.",
     ]),
    (12, "sud-aktivistka-prigovor", "Активистку из Иркутска приговорили к двум годам колонии-поселения",
     "Ее обвиняли в призывах к экстремизму", "Ольга Верес", [
         "Иркутский областной суд приговорил активистку Веру Панову к двум годам колонии-поселения по делу о "
         "призывах к экстремистской деятельности.",
         "Поводом для дела стали ее комментарии в городском чате, которые она написала в 2023 году.",
         "Защита будет обжаловать приговор.",
     ]),
    # a post that is nothing but the appeal: dropped as boilerplate_only, never exported empty
    (12, "ot-redakcii", "От редакции", "Обращение к читателям", "Холод", []),
    # the second run: one new article, crawled alone, with the appeal
    (13, "krasnoyarsk-sneg-aeroport", "В Красноярске снегопад на сутки парализовал аэропорт",
     "Задержали больше сорока рейсов", "Анна Клюева", [
         "Из-за сильного снегопада красноярский аэропорт почти сутки не принимал и не отправлял самолеты. Задержали "
         "больше сорока рейсов.",
         "Пассажиры жаловались, что их не кормили и не размещали в гостинице. В аэропорту ответили, что все "
         "положенные услуги предоставлялись.",
         "К вечеру пятницы расписание восстановили.",
     ]),
    # the third run: one more, with the background sentence too (the operator pins both ways)
    (14, "omsk-pisatel-reestr", "Омского писателя внесли в реестр «иноагентов»",
     "Его книги уже сняли с продажи", "Петр Горин", [
         "Минюст внес в реестр «иностранных агентов» омского писателя Аркадия Лебедева. Крупные книжные сети в тот "
         "же день убрали его романы с полок.",
         "BACKGROUND",
         "Лебедев живет в Омске и уезжать не собирается. Новый роман, по его словам, выйдет в независимом "
         "издательстве.",
     ]),
]


def body_of(day: int, paragraphs: list[str]) -> list[str]:
    """The paragraphs of the post content, with the appeal placed as the article's day says."""
    body = [{"BACKGROUND": BACKGROUND, "LEGAL": LEGAL}.get(p, p) for p in paragraphs]
    if not body:
        return list(APPEAL)
    if day <= 10 or day >= 13:  # the appeal: in 10 of the first 12 articles and in both later ones
        at = len(body) if day in (1, 4, 6, 7, 10) or day >= 13 else (2 if day in (2, 5, 8) else 0)
        body[at:at] = APPEAL
    return body


def page(day: int, slug: str, title: str, lead: str, author: str, body: list[str]) -> str:
    url = f"{BASE}/2026/10/{day:02d}/{slug}/"
    published = f"2026-10-{day:02d}T09:00:00+00:00"
    e = html.escape
    content = "\n".join(f"<p>{e(p)}</p>" for p in body)
    schema = {"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "@id": f"{url}#article", "author": [{"name": author}], "headline": title,
         "datePublished": published, "dateModified": published, "articleSection": ["Новости"], "inLanguage": "ru-RU"},
        {"@type": "Organization", "@id": f"{BASE}/#organization", "name": "Холод", "url": f"{BASE}/"}]}
    return f"""<!DOCTYPE html>
<html lang="ru-RU">
<head>
<meta charset="UTF-8">
<title>{e(title)} - Холод</title>
<meta name="description" content="{e(lead)}" />
<link rel="canonical" href="{url}" />
<meta property="og:type" content="article" />
<meta property="og:title" content="{e(title)}" />
<meta property="og:description" content="{e(lead)}" />
<meta property="og:url" content="{url}" />
<meta property="og:site_name" content="Холод" />
<meta property="article:published_time" content="{published}" />
<meta property="article:modified_time" content="{published}" />
<meta name="author" content="{e(author)}" />
<script type="application/ld+json" class="yoast-schema-graph">{json.dumps(schema, ensure_ascii=False)}</script>
</head>
<body class="post-template-default single single-post">
<header class="site-header"><a class="site-header__logo" href="{BASE}/">Холод</a>
<a class="site-header__donate" href="https://holod.help/">Поддержать</a></header>
<main class="site-main">
<article class="article post type-post status-publish category-news">
<header class="article__header">
<div class="article__meta-top"><a class="article__rubric" href="{BASE}/news/">Новости</a> <span class="article__reading-time">2 минуты чтения</span></div>
<h1 class="article__title">{e(title)}</h1>
<p class="article__lead">{e(lead)}</p>
<div class="article__meta"><span class="article__authors"><a href="{BASE}/author/{day}/">{e(author)}</a></span> <time class="article__date" datetime="2026-10-{day:02d}T12:00:00+03:00">{day} октября 2026</time></div>
</header>
<div class="article__content entry-content">
{content}
</div>
</article>
<section class="donate-block"><h2 class="donate-block__title">Поддержите «Холод»</h2>
<a class="donate-block__button" href="https://holod.help/">Оформить регулярное пожертвование</a></section>
</main>
<footer class="site-footer">© «Холод», 2019–2026. 18+</footer>
</body>
</html>
"""


def main() -> None:
    expected: dict[str, dict] = {}
    entries = []
    for day, slug, title, lead, author, paragraphs in ARTICLES:
        url = f"{BASE}/2026/10/{day:02d}/{slug}/"
        body = body_of(day, paragraphs)
        path = HERE / "2026" / "10" / f"{day:02d}" / slug / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(day, slug, title, lead, author, body), "utf-8")
        entries.append(f"<url><loc>{url}</loc><lastmod>2026-10-{day:02d}T09:00:00+00:00</lastmod></url>")
        clean = [{"BACKGROUND": BACKGROUND, "LEGAL": LEGAL}.get(p, p) for p in paragraphs]
        expected[url] = {"title": title, "published_at": f"2026-10-{day:02d}T12:00:00+03:00", "body": "\n\n".join(clean),
                         "appeal": APPEAL[0] in body}
        if not clean:
            expected[url] = {"title": title, "dropped": "boilerplate_only", "appeal": True}
    (HERE / "wp-sitemap-posts-post-1.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(reversed(entries)) + "</urlset>\n", "utf-8")
    (HERE / "_expected.json").write_text(json.dumps(
        {"appeal": APPEAL, "background": BACKGROUND, "legal": LEGAL, "articles": expected},
        ensure_ascii=False, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
