"""Facts of the plan's data, checked by hand against the seed text (line numbers in comments)."""

from __future__ import annotations

from collections import Counter

import pytest


def obs(plan, indicator, group, area, series=""):
    hits = [
        o
        for o in plan.observations
        if o.indicator_id == indicator and o.group_id == group and o.area == area and o.series_id == series
    ]
    assert len(hits) == 1, (indicator, group, area, series, hits)
    return hits[0]


@pytest.mark.parametrize(
    ("indicator", "group", "area", "value"),
    [
        (7, "lk4_5", "kymenlaakso", 88),
        (7, "lk4_5", "koko_maa", 89.5),  # L411, L1149-1150
        (7, "lk8_9", "koko_maa", 75.2),
        (7, "ammatillinen", "koko_maa", 76.1),  # "koko maa76,1 %"
        (7, "huoltajat_4v", "kymenlaakso", 90),
        (7, "huoltajat_4v", "koko_maa", 90.1),
        (9, "lk4_5", "kymenlaakso", 41),
        (9, "lk4_5", "koko_maa", 42.1),
        (11, "lk8_9", "kymenlaakso", 10),
        (11, "lukio", "koko_maa", 11.7),
        (22, "ammatillinen", "kymenlaakso", 23),
        (22, "ammatillinen", "koko_maa", 25.1),
        (24, "ammatillinen", "kymenlaakso", 91),
        (24, "ammatillinen", "koko_maa", 23.2),  # the typo, kept
        (31, "lk4_5", "kymenlaakso", 7.9),
        (31, "lk4_5", "koko_maa", 7.2),
        (31, "lukio", "kymenlaakso", 1.5),
        (31, "ammatillinen", "koko_maa", 3.6),
        (32, "lukio", "kymenlaakso", 15),
        (32, "ammatillinen", "koko_maa", 13.6),
        (4, "ika_15_24", "kymenlaakso", 19),
        (4, "ika_15_24", "koko_maa", 12.3),
        (20, "huoltajat_4v", "kymenlaakso", 25),
        (20, "huoltajat_4v", "koko_maa", 29.4),
    ],
)
def test_values_as_in_the_source(plan, indicator, group, area, value):
    assert obs(plan, indicator, group, area).value == pytest.approx(value)


def test_child_protection_counts_are_separate_series(plan):
    counts = {o.series_id: o.value for o in plan.observations if o.indicator_id == 16 and o.area == "kymenlaakso"}
    assert counts["ilmoitukset_vuoden_aikana"] == 3514
    assert counts["avohuolto_vuoden_aikana"] == 1820 and counts["avohuolto_31_12"] == 1025
    assert counts["huostassa_vuoden_aikana"] == 409 and counts["huostassa_31_12"] == 357
    assert counts["jalkihuolto_vuoden_aikana"] == 282 and counts["jalkihuolto_31_12"] == 223


def test_document_inconsistencies_are_flagged_not_fixed(plan):
    assert obs(plan, 24, "ammatillinen", "koko_maa").flag == "suspected_typo"
    assert obs(plan, 15, "huoltajat_4v", "kymenlaakso").flag == "missing_national"
    assert not [o for o in plan.observations if o.indicator_id == 15 and o.area == "koko_maa"]
    assert obs(plan, 2, "naiset_15_49", "kymenlaakso").flag == "unit_mismatch"
    assert obs(plan, 2, "naiset_15_49", "kymenlaakso").value_as_printed.replace("\u2009", " ") == "37 %"


def test_goals_and_service_mix(plan):
    mix = {g.goal_id: (g.preventive_pct, g.early_support_pct, g.intensive_pct) for g in plan.goals}
    assert mix == {"I": (50, 35, 15), "II": (70, 25, 5), "III": (50, 30, 20)}


def test_sixteen_subgoals_with_ratings(plan):
    per_goal = Counter(s.goal_id for s in plan.subgoals)
    assert per_goal == {"I": 7, "II": 6, "III": 3}
    rating = {s.subgoal_id: (s.difficulty and s.difficulty.value, s.impact and s.impact.value) for s in plan.subgoals}
    assert rating["I.1"] == ("keskivaikea", "korkea")  # L105
    assert rating["II.1"] == ("helppo", "korkea")  # L515
    assert rating["II.3"] == ("keskivaikea", "melko korkea")  # L626
    assert rating["III.1"] == ("vaikea", "korkea")  # L753
    assert rating["I.7"] == (None, None)  # "Turvallinen elinympäristö" has no box in section 1


def test_every_subgoal_except_i7_has_indicators(plan):
    linked = {link.subgoal_id for link in plan.subgoal_indicators}
    assert {s.subgoal_id for s in plan.subgoals} - linked == {"I.7"}


def test_measure_rows_per_actor_and_goal(plan):
    assert len(plan.actors) == 11
    rows = Counter((m.actor_id, m.subgoal_id.split(".")[0]) for m in plan.measures)
    for actor in plan.actors:
        assert (rows[(actor.actor_id, "I")], rows[(actor.actor_id, "II")], rows[(actor.actor_id, "III")]) == (7, 6, 3)
    assert len(plan.measures) == 176


def test_row_kinds_kept_not_dropped(plan):
    kinds = {m.measure_id: m.row_kind.value for m in plan.measures}
    assert kinds["hamina-II.3-1"] == "reference"  # "Ks. edellinen kohta." L2530
    assert kinds["kotka-III.2-1"] == "reference"
    assert kinds["poliisi-I.3-1"] == "out_of_scope"
    assert kinds["ensi_ja_turvakoti-I.4-1"] == "empty"


def test_measure_text_dehyphenated_and_verbatim(plan):
    m = {x.measure_id: x for x in plan.measures}
    assert "Vanhemmuussuunnitelman systemaattinen käyttö" in m["kymsote-I.3-1"].mittari  # L1515-1516
    assert "toimiii" in m["kymsote-I.7-1"].toimenpide  # the source's own typo is kept
    assert m["poliisi-III.3-1"].mittari == "Avun piiriin ohjaamisten määrän mittaaminen."
    assert m["poliisi-III.3-1"].aikataulu == "Pysyvää"
    assert m["kymsote-I.1-1"].aikataulu == "2020 alkaen"


def test_actor_identification(plan):
    names = {a.section: a.actor_id for a in plan.actors}
    assert names["2.1"] == "kymsote" and names["2.2"] == "hamina" and names["2.11"] == "poliisi"
    kymsote = plan.actor("kymsote")
    assert kymsote.current_name  # the plan's name kept, today's name as an alias


def test_subgoal_i4_shown_with_the_correct_spelling(plan):
    """Section 1 misprints "terveuden" once (L308); the measures tables print "terveyden" (L2328, L2810…)."""
    i4 = next(s for s in plan.subgoals if s.subgoal_id == "I.4")
    assert i4.title_fi == "Lasten ja nuorten terveyden edistäminen"
    assert "Lasten ja nuorten terveuden edistäminen" in i4.note  # the printed form kept for maintainers


@pytest.mark.parametrize(
    ("measure_id", "start", "end", "permanent"),
    [
        ("hamina-II.2-1", 2020, None, False),  # "käynnistyminen vuoden 2020 aikana" (L2531): a start, not an end
        ("hamina-III.1-1", 2019, None, False),  # "Aloitettu vuonna 2019."
        ("mll-I.4-1", 2020, 2020, False),  # "Kokeilu vuoden 2020 loppuun asti"
        ("kotka-I.1-1", None, None, True),  # "Lukuvuosittain jatkuva…" (L2739)
        ("kotka-I.4-1", None, None, True),  # "Jatkuva, Lukuvuosittain…" (L2828)
        ("kotka-II.3-1", None, None, True),  # "Lukuvuosittain" (L2999): the same wording, the same reading
        ("pyhtaa-I.6-1", None, None, True),  # "Vuosittain …" (L4723)
        ("jarjestot-I.3-1", None, None, True),  # "Saagan perustoimintaa" (L5914)
        ("seurakunnat-I.1-1", None, None, False),  # "Toimintakauden kestävä tai kertaluontoinen tapahtuma."
        ("kymsote-I.1-1", 2020, None, False),  # "2020 alkaen"
    ],
)
def test_measure_schedule_facts(plan, measure_id, start, end, permanent):
    m = next(x for x in plan.measures if x.measure_id == measure_id)
    assert (m.start_year, m.end_year, m.permanent) == (start, end, permanent)


def test_schedule_columns_follow_the_one_rule(plan):
    """data/measures.csv holds exactly what core/plan/schedule.py reads from each aikataulu (one rule, every row)."""
    from core.plan.schedule import parse_schedule

    differ = [
        (m.measure_id, m.aikataulu)
        for m in plan.measures
        if (m.start_year, m.end_year, m.permanent) != tuple(vars(parse_schedule(m.aikataulu)).values())
    ]
    assert differ == []


@pytest.mark.parametrize(
    ("text", "start", "end", "permanent"),
    [
        ("Perhekeskuksen toiminnan käynnistyminen vuoden 2020 aikana.", 2020, None, False),
        ("Toiminta käynnistyy 2022", 2022, None, False),
        ("Vanhempainkoulumalli käyntiin 2021", 2021, None, False),
        ("Lukuvuosittain", None, None, True),
        ("Vuosittain", None, None, True),
        ("Tarve arvioidaan vähintään vuosittain", None, None, True),
        ("Saagan perustoimintaa", None, None, True),
        ("vuoden 2020 aikana", 2020, 2020, False),
        ("Kertaluontoinen tapahtuma", None, None, False),
    ],
)
def test_schedule_rule(text, start, end, permanent):
    from core.plan.schedule import parse_schedule

    s = parse_schedule(text)
    assert (s.start_year, s.end_year, s.permanent) == (start, end, permanent)
