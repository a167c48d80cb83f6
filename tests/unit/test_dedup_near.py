"""Where the near-duplicate threshold separates republished stories from distinct stories on the same
topic. The texts are invented, in the style of wire copy and of the outlets' own reporting.

Pairs (estimated Jaccard similarity of word 3-shingles, 64 permutations; exact values in
``test_similarity_figures``):
* a wire story and the same story republished with a new first sentence, a few words changed and
  the last paragraph cut: well above the threshold (0.5);
* the same story in a second outlet with an added paragraph of its own: above;
* two different stories about the same event (same names, same numbers, different reporting):
  far below; a story and its follow-up the next day: below.
"""

from __future__ import annotations

import pytest

from crawler.state.fingerprint import Signature, fingerprint, normalise_text, shingles

WIRE = """The Central Bank of Russia raised its key interest rate to 12% on Tuesday at an emergency meeting, \
a sharp increase of 350 basis points, after the ruble slid past 100 to the dollar for the first time in \
nearly 17 months.

The regulator said the decision was aimed at limiting risks to price stability. "Inflationary pressure is \
increasing," the bank said in a statement, adding that the weakening of the ruble was feeding into prices.

The ruble recovered some of its losses after the announcement, trading at around 97 to the dollar by midday \
in Moscow. It had lost more than a third of its value since the start of the year.

Economists said the move showed that the authorities were worried about the speed of the ruble's fall. \
Maxim Oreshkin, an economic adviser to President Vladimir Putin, had blamed the central bank's loose \
monetary policy for the currency's weakness in an article published on Monday.

The bank's board of directors will hold its next scheduled meeting on Sept. 15, when it will again \
review the key rate. Analysts polled before the emergency meeting had expected no change until then.

Russia's budget has been under pressure from lower revenues from oil and gas exports and from rising \
military spending, which economists say has pushed the economy close to overheating."""

REPUBLISHED = """Russia's central bank on Tuesday raised its key interest rate to 12% at an emergency meeting, \
a sharp increase of 350 basis points, after the ruble slid past 100 to the dollar for the first time in \
nearly 17 months.

The regulator said the decision was aimed at limiting risks to price stability. "Inflationary pressure is \
increasing," the bank said in a statement, adding that the weakening of the ruble was feeding into prices.

The ruble recovered some of its losses after the announcement, trading at about 97 to the dollar by midday \
in Moscow. It has lost more than a third of its value since the start of the year.

Economists said the move showed that the authorities were worried about the speed of the ruble's fall. \
Maxim Oreshkin, an economic adviser to President Vladimir Putin, had blamed the central bank's loose \
monetary policy for the currency's weakness in an article published on Monday.

The bank's board of directors will hold its next scheduled meeting on Sept. 15, when it will again \
review the key rate. Analysts polled before the emergency meeting had expected no change until then."""

SYNDICATED = WIRE + """

In Moscow, exchange offices raised their rates within minutes of the announcement, and several banks \
suspended the sale of foreign currency in cash for the rest of the day, customers told our correspondent."""

SAME_EVENT = """Ordinary Russians are bracing for higher prices after the ruble's slide past 100 to the dollar \
forced the Central Bank into an emergency meeting on Tuesday.

At a market in western Moscow, traders said the cost of imported fruit had already gone up by a fifth \
since July. "Bananas, coffee, anything that comes from abroad," said one stallholder, who asked not to be \
named. "People buy less and ask about the price twice."

The bank raised its key rate to 12%, but mortgage brokers said the decision would hit families who had \
hoped to buy a flat this autumn. Several lenders withdrew their offers on the same day and promised new \
terms by the end of the week.

Car dealers reported a rush of customers trying to buy before the next round of price increases, while \
travel agencies said bookings for foreign holidays had fallen sharply in August.

Pensioners and public sector workers, whose incomes are set in rubles, are expected to feel the squeeze \
first, sociologists said, as the government has so far ruled out an extra indexation of pensions."""

FOLLOW_UP = """The ruble strengthened on Wednesday, a day after the Central Bank of Russia raised its key \
interest rate to 12% at an emergency meeting, but analysts warned that the respite could be short-lived.

The currency traded at around 95 to the dollar in the morning in Moscow, after briefly touching 101 on \
Monday. The finance ministry said it saw no need for capital controls for now.

Several economists said the rate rise alone would not halt the ruble's decline as long as import demand \
stayed high and export revenues kept falling. Some called on the government to oblige exporters to sell \
more of their foreign currency earnings.

The Kremlin said on Wednesday that the government and the Central Bank were acting together and that \
there was no conflict between them, a day after a presidential adviser criticised the bank's policy."""

RU_WIRE = """Жители Иркутска за неделю собрали более 12 миллионов рублей на восстановление деревянных \
домов XIX века в историческом квартале, пострадавшем от пожара 16 ноября, сообщили организаторы сбора.

По данным местного общественного движения, деньги перечислили более четырёх тысяч человек. Средства \
пойдут на консервацию обгоревших срубов и временную крышу над двумя самыми старыми домами квартала.

Мэрия города пообещала выделить участок для хранения уцелевших резных наличников и заявила, что \
рассмотрит вопрос о передаче домов в управление фонду, который создадут горожане.

Пожар в квартале тушили почти шесть часов. Пострадавших нет, однако без жилья остались восемь семей. \
Причины возгорания устанавливает следствие, рассматривается версия о поджоге."""

RU_REPUBLISHED = """Жители Иркутска всего за неделю собрали более 12 миллионов рублей на восстановление \
деревянных домов XIX века в историческом квартале, пострадавшем от пожара 16 ноября, сообщили организаторы.

По данным местного общественного движения, деньги перечислили более четырех тысяч человек. Средства \
пойдут на консервацию обгоревших срубов и временную крышу над двумя самыми старыми домами квартала.

Мэрия города пообещала выделить участок для хранения уцелевших резных наличников и заявила, что \
рассмотрит вопрос о передаче домов в управление фонду, который создадут горожане.

Пожар в квартале тушили почти шесть часов. Пострадавших нет, однако без жилья остались восемь семей."""

RU_SAME_EVENT = """В Иркутске после пожара в историческом квартале горожане вышли на субботник: около двухсот \
человек разбирали завалы и выносили из сгоревших домов уцелевшие наличники, двери и печные изразцы.

Архитекторы говорят, что восстановить можно как минимум три дома из пяти, но работы нужно начать до \
морозов. Главный риск — талая вода весной, которая разрушит срубы без крыши.

Восемь семей, оставшихся без жилья, пока живут у родственников и в гостинице, которую оплатила мэрия. \
Следствие по делу о пожаре продолжается, версия о поджоге не исключается."""

THRESHOLD = 0.5
NUM_PERM = 64


def similarity(a: str, b: str) -> float:
    return Signature.of_text(a, NUM_PERM).similarity(Signature.of_text(b, NUM_PERM))


def true_jaccard(a: str, b: str) -> float:
    sa, sb = shingles(normalise_text(a)), shingles(normalise_text(b))
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize("a, b", [(WIRE, REPUBLISHED), (WIRE, SYNDICATED), (RU_WIRE, RU_REPUBLISHED)],
                         ids=["republished-with-edits", "syndicated-with-added-paragraph", "russian-republished"])
def test_near_duplicates_are_above_the_threshold(a, b):
    assert similarity(a, b) >= THRESHOLD + 0.15
    assert true_jaccard(a, b) >= THRESHOLD + 0.15


@pytest.mark.parametrize("a, b", [(WIRE, SAME_EVENT), (WIRE, FOLLOW_UP), (REPUBLISHED, FOLLOW_UP),
                                  (RU_WIRE, RU_SAME_EVENT)],
                         ids=["same-event-other-story", "follow-up", "follow-up-of-the-copy", "russian-same-event"])
def test_distinct_stories_on_the_same_topic_are_far_below(a, b):
    assert similarity(a, b) <= 0.15
    assert true_jaccard(a, b) <= 0.15


def test_similarity_figures():
    """The figures quoted in the README (estimated; true Jaccard in brackets)."""
    figures = {name: (round(similarity(a, b), 2), round(true_jaccard(a, b), 2)) for name, (a, b) in {
        "republished": (WIRE, REPUBLISHED), "syndicated": (WIRE, SYNDICATED), "ru_republished": (RU_WIRE, RU_REPUBLISHED),
        "same_event": (WIRE, SAME_EVENT), "follow_up": (WIRE, FOLLOW_UP), "ru_same_event": (RU_WIRE, RU_SAME_EVENT),
    }.items()}
    print(figures)
    assert all(0.0 <= est <= 1.0 for est, _ in figures.values())


def test_exact_fingerprint_ignores_case_punctuation_spacing_and_yo():
    assert fingerprint("Жители «Иркутска» собрали —  12 млн рублей.") == fingerprint("жители иркутска собрали 12 млн рублей")
    assert fingerprint("четырёх тысяч") == fingerprint("четырех тысяч")
    assert fingerprint(WIRE) != fingerprint(REPUBLISHED)


def test_signature_round_trip_and_bands():
    from crawler.state.fingerprint import Banding

    signature = Signature.of_text(WIRE, NUM_PERM)
    again = Signature.from_bytes(signature.to_bytes())
    assert again.similarity(signature) == 1.0 and len(signature.to_bytes()) == 4 * NUM_PERM
    banding = Banding.for_threshold(THRESHOLD, NUM_PERM)
    assert (banding.bands, banding.rows) == (14, 4)  # datasketch's choice for 0.5 with 64 permutations
    keys = signature.band_keys(banding)
    assert len(keys) == 14 and all(-(2**63) <= k < 2**63 for k in keys)
    near = set(Signature.of_text(REPUBLISHED, NUM_PERM).band_keys(banding))
    far = set(Signature.of_text(SAME_EVENT, NUM_PERM).band_keys(banding))
    assert near & set(keys) and not far & set(keys)


def test_where_the_threshold_falls():
    """Replacing paragraphs of the six-paragraph wire story one by one with unrelated text of the same
    topic, and cutting it short: 0.5 is crossed when about a third of the text is new, or when less
    than about half of it is kept."""
    paragraphs = WIRE.split("\n\n")
    other = SAME_EVENT.split("\n\n") + FOLLOW_UP.split("\n\n")
    replaced = [similarity(WIRE, "\n\n".join(other[:k] + paragraphs[k:])) for k in range(7)]
    assert replaced[1] >= THRESHOLD + 0.1  # one paragraph in six rewritten: a near-duplicate
    assert replaced[3] <= THRESHOLD - 0.1  # half rewritten: a different story
    assert replaced == sorted(replaced, reverse=True)
    kept = [similarity(WIRE, "\n\n".join(paragraphs[:k])) for k in range(1, 7)]
    assert kept[3] >= THRESHOLD + 0.1  # the first four of six paragraphs
    assert kept[1] <= THRESHOLD - 0.1  # the first two
