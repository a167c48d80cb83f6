"""The shared Russian rules (crawler/rules/shared.json) added for the RSS/HTML outlets: each removes the
boilerplate line it is for, and a news paragraph that uses the same words survives."""

import pytest

from crawler.pipelines.clean import remove_boilerplate
from crawler.rules import shared_rules


def fired(paragraph: str) -> list[str]:
    _, removed = remove_boilerplate([paragraph], shared_rules())
    return [rule.name for rule, _ in removed]


@pytest.mark.parametrize("line, rule", [
    ("Подпишитесь на «Медиазону» в Telegram", "newsletter"),
    ("Подпишитесь на The Insider в Telegram, чтобы не пропускать главное.", "newsletter"),
    ("Подписаться на канал «Дождя» на YouTube", "newsletter"),
    ("Читайте нас в Telegram", "newsletter"),
    ("Смотрите «Дождь» на YouTube", "newsletter"),
    ("Криптовалюта: BTC bc1q9h7garjq3vk5x2n4c8d6f0s7m2p5t8w3e6y4u1 · USDT (TRC20) TQ4mV8nB2xK7pL9sD3fG6hJ1kW5rT0yZcE", "donation"),
    ("Перевод с банковской карты: Visa/Mastercard, 4111 1111 1111 1111", "donation"),
    ("Реквизиты: IBAN GE29NB0000000101904917", "donation"),
    ("Оформить регулярное пожертвование", "donation"),
    ("Ежемесячное пожертвование", "donation"),
    ("Оформите ежемесячное пожертвование — это займет минуту.", "donation"),
    ("Нам очень нужна ваша помощь", "donation"),
    ("Дорогие читатели! Нам очень нужна ваша поддержка, чтобы продолжать работу.", "donation"),
])
def test_boilerplate_lines_are_removed(line, rule):
    assert fired(line) == [rule]


@pytest.mark.parametrize("paragraph", [
    "Адвокат заявила, что ее подзащитный оформлял переводы со своей банковской карты еще до того, как "
    "организацию внесли в реестр.",
    "Следователи утверждают, что пожертвования в криптовалюте поступали на кошелек фонда с 2023 года.",
    "Подписчики канала в Telegram узнали о задержании из сообщения его сестры.",
    "«Нам очень нужна ваша помощь», — сказала мать политзаключенного, выйдя из здания суда.",
    "Сделать пожертвование фонду теперь опасно: юристы говорят о десятках уголовных дел.",
    "Полиция потребовала от администраторов подписаться на рассылку МВД в Telegram — об этом рассказал один из них, "
    "добавив, что отказ грозит штрафом и блокировкой канала, а также проверкой всех его подписчиков и "
    "спонсоров, которые делали регулярные пожертвования.",
    "Регулярные пожертвования читателей за год сократились вдвое, говорится в отчете фонда, опубликованном в "
    "понедельник; фонд закрыл три программы, в том числе помощь семьям политзаключенных в регионах, и "
    "предупредил, что без новых доноров в следующем году будет вынужден отказаться еще от двух.",
])
def test_news_paragraphs_with_the_same_words_survive(paragraph):
    assert fired(paragraph) == []
