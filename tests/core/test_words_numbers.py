"""Words, numbers and times as users read them: plurals, local time, flags in plain words, counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from core.base.i18n import CATALOGUE, Msg, t, tn
from core.base.timefmt import default_evaluation_year, local_time
from core.serving.urlstate import Notice, parse_params
from core.views import history, queries
from core.views.queries import flag_text, measure_row_counts, measures_caption, real_measures

# ------------------------------------------------------------------ plurals


@pytest.mark.parametrize(
    ("key", "n", "lang", "expected"),
    [
        ("measures.count", 1, "fi", "1 toimenpide"),
        ("measures.count", 2, "fi", "2 toimenpidettä"),
        ("measures.count", 0, "fi", "0 toimenpidettä"),
        ("measures.count", 1, "en", "1 measure"),
        ("measures.count", 160, "en", "160 measures"),
        ("count.indicators", 1, "fi", "1 indikaattori"),
        ("count.indicators", 32, "en", "32 indicators"),
        ("count.on_rows", 1, "en", "on 1 row"),
        ("data.refused", 1, "fi", "Tiedostoa ei tuotu: 1 virhe. Korjaa se ja yritä uudelleen; mitään ei muutettu."),
        ("data.refused", 1, "en", "The file was not imported: 1 error. Fix it and try again; nothing was changed."),
        ("eval.saved", 1, "fi", "1 arvio tallennettu."),
        ("vk.saved", 1, "en", "Annual clock saved (1 change)."),
    ],
)
def test_plural_forms(key, n, lang, expected):
    assert tn(key, n, lang) == expected
    assert t(key, lang, n=n) == expected
    assert Msg(key, n=n).text(lang) == expected


@pytest.mark.parametrize(
    ("n", "rows", "lang", "expected"),
    [
        (1, 1, "fi", "Tallentamattomia muutoksia: 1 kenttä 1 rivillä."),
        (3, 2, "fi", "Tallentamattomia muutoksia: 3 kenttää 2 rivillä."),
        (1, 1, "en", "Unsaved changes: 1 field on 1 row."),
        (3, 2, "en", "Unsaved changes: 3 fields on 2 rows."),
    ],
)
def test_two_counts_in_one_text(n, rows, lang, expected):
    """The grid's pending-edit line: the second count is a Msg that renders in the same language."""
    assert t("edit.pending", lang, n=n, rows=Msg("count.on_rows", n=rows)).startswith(expected)


def test_no_count_text_says_one_in_plural():
    """Every catalogue text that starts with a count "{n} …" has a singular form."""
    for lang in ("fi", "en"):
        for key, entry in CATALOGUE[lang].items():
            if isinstance(entry, str) and re.match(
                r"\{n\} (?!of )[^\W\d]", entry
            ):  # "{n} toimenpidettä", not "{n} / …"
                pytest.fail(f"{lang} {key}: a count text without a plural form: {entry!r}")
    assert "1 kenttää" not in t("edit.pending", "fi", n=1, rows=Msg("count.on_rows", n=1))
    assert "1 measures" not in tn("report.measures.count", 1, "en")


# ------------------------------------------------------------------ link notices


def test_unknown_value_of_a_known_parameter_says_so():
    view = parse_params({"ryhma": "xyz", "foo": "1"}, {"group": {"lukio"}})
    value, param = view.notices
    assert value == Notice("ryhma", "xyz", "value") and param == Notice("foo", "1", "param")
    assert (
        t(value.key, "fi", param=value.param, value=value.value)
        == "Linkin parametrin 'ryhma' arvoa 'xyz' ei tunnistettu; se ohitettiin."
    )
    assert "parametria 'foo' ei tunnistettu" in t(param.key, "fi", param=param.param, value=param.value)


def test_a_parameter_another_page_uses_is_no_error():
    view = parse_params({"vuosi": "2024", "nakyma": "arviointi"}, {"year": {"2024"}, "view": {"arviointi"}})
    assert view.notices == [] and view.values == {"year": "2024", "view": "arviointi"}


# ------------------------------------------------------------------ local time


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ("2026-11-30T22:19:00+00:00", "fi", "1.12.2026 klo 0.19"),  # winter: UTC+2, the next day in Finland
        ("2026-11-30T22:19:00+00:00", "en", "1 Dec 2026 00:19"),
        ("2026-07-01T09:05:00+00:00", "fi", "1.7.2026 klo 12.05"),  # summer: UTC+3
        ("2026-07-01T09:05:00+00:00", "en", "1 Jul 2026 12:05"),
        ("2026-03-29T00:59:00+00:00", "fi", "29.3.2026 klo 2.59"),  # the last minute before DST begins
        ("2026-03-29T01:00:00+00:00", "fi", "29.3.2026 klo 4.00"),  # 03:00 EET became 04:00 EEST
        ("2026-10-25T00:30:00+00:00", "fi", "25.10.2026 klo 3.30"),  # EEST, before DST ends
        ("2026-10-25T01:30:00+00:00", "fi", "25.10.2026 klo 3.30"),  # the same wall time again, EET
        ("2026-11-30T22:19:00", "fi", "1.12.2026 klo 0.19"),  # no zone: the store's UTC
        ("2026-11-30T22:19:00Z", "en", "1 Dec 2026 00:19"),
        (datetime(2026, 1, 5, 6, 7, tzinfo=UTC), "fi", "5.1.2026 klo 8.07"),
        ("", "fi", ""),
        (None, "fi", ""),
        ("ei aika", "fi", "ei aika"),  # not a time: shown as it is, never an error
    ],
)
def test_local_time(value, lang, expected):
    assert local_time(value, lang) == expected


# ------------------------------------------------------------------ default year


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 1), 2025),
        (date(2030, 1, 1), 2025),
        (date(2023, 6, 1), 2022),
        (date(2020, 3, 1), 2020),
        (date(2019, 3, 1), 2020),
    ],
)
def test_default_evaluation_year_is_the_last_finished_year_of_the_plan(today, expected):
    assert default_evaluation_year(2020, 2025, today) == expected


# ------------------------------------------------------------------ flags in plain words, never notes


def test_flag_codes_become_plain_words(plan):
    assert flag_text("missing_national", "fi") == "koko maan vertailuarvo puuttuu suunnitelmasta"
    assert flag_text("missing_national", "en") == "the plan gives no whole-country value to compare with"
    assert flag_text("suspected_typo; unit_mismatch", "fi").count(";") == 1
    assert flag_text("", "fi") == flag_text(None, "fi") == flag_text(float("nan"), "fi") == ""
    assert flag_text("tarkistettava", "fi") == "tarkistettava"  # an editor's own flag from an import, as written
    codes = {o.flag for o in plan.observations if o.flag}
    assert codes <= set(queries.KNOWN_FLAGS)  # every flag in data/ has its words


def test_comparisons_never_carry_extraction_notes(plan):
    frame = queries.comparison_frame(plan, queries.observations_frame(plan), lang="fi")
    shown = " ".join(frame["flag_text"]) + " ".join(frame["flag"])
    for note in {o.note for o in plan.observations if o.note}:
        assert note not in shown
    assert not any(s in shown for s in ("(L1", "L971", "Tile ", "1.5 gives"))
    row = frame[(frame["indicator_id"] == 15) & (frame["group_id"] == "huoltajat_4v")].iloc[0]
    assert row["flag_text"] == "koko maan vertailuarvo puuttuu suunnitelmasta"
    en = queries.comparison_frame(plan, queries.observations_frame(plan), lang="en")
    assert set(en["flag_text"]) - {""} <= {t(f"flag.{c}", "en") for c in queries.KNOWN_FLAGS} | {
        "; ".join([t(f"flag.{a}", "en"), t(f"flag.{b}", "en")])
        for a in queries.KNOWN_FLAGS
        for b in queries.KNOWN_FLAGS
    }


def test_indicator_definition_shows_flags_not_notes(plan):
    assert queries.indicator_flag_texts(plan, 15, "fi") == ["koko maan vertailuarvo puuttuu suunnitelmasta"]
    assert queries.indicator_flag_texts(plan, 1, "en") == [t("flag.group_mismatch", "en")]
    assert queries.indicator_flag_texts(plan, 5, "fi") == []


# ------------------------------------------------------------------ counts agree


def test_real_measures_are_counted_once_everywhere(plan):
    measures = queries.measures_frame(plan)
    assert len(real_measures(measures)) == 160 and measure_row_counts(measures) == (160, 16)
    goal_i = queries.filter_measures(measures, queries.Filters(goal="I"))
    assert measure_row_counts(goal_i) == (74, 3)
    assert measures_caption(goal_i, "fi").startswith("74 toimenpidettä (lisäksi 3 muuta taulukon riviä")
    assert measures_caption(goal_i, "en").startswith("74 measures (plus 3 other table rows")
    counts = queries.measure_counts(plan, measures, "fi")
    assert counts["count"].sum() == 160 and counts[counts["goal_id"] == "I"]["count"].sum() == 74
    removed = measures.assign(deleted=[i == 0 for i in range(len(measures))])
    assert measure_row_counts(removed) == (159, 16)


def test_caption_without_other_rows_and_in_singular(plan):
    one = real_measures(queries.measures_frame(plan)).head(1)
    assert measures_caption(one, "fi") == "1 toimenpide" and measures_caption(one, "en") == "1 measure"


def test_status_chart_caption_says_it_counts_comparisons(plan):
    obs = queries.observations_frame(plan)
    by_goal = {g: queries.comparison_frame(plan, obs, queries.linked_indicators(plan, g)) for g in ("I", "II", "III")}
    counts = queries.status_counts_by_goal(by_goal).groupby("goal_id")["count"].sum()
    summary = queries.comparison_summary(by_goal).set_index("goal_id")
    assert (summary["comparisons"] == counts.reindex(summary.index)).all()  # the caption's numbers are the bars'
    caption = queries.status_chart_caption(by_goal, "fi")
    assert "vertailuja, eivät indikaattoreita" in caption
    assert f"I: {summary.loc['I', 'comparisons']} vertailua {summary.loc['I', 'indicators']} indikaattorista" in caption
    assert "comparisons, not indicators" in queries.status_chart_caption(by_goal, "en")


# ------------------------------------------------------------------ Muutoshistoria


def _changes() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "change_id": 7,
                "entity": "measure",
                "entity_id": "hamina-II.2-1",
                "field": "contact",
                "old_value": None,
                "new_value": "Liisa",
                "action": "update",
                "changed_by": "Matti",
                "changed_at": "2026-11-30T22:19:00+00:00",
                "reverts": None,
            },
            {
                "change_id": 8,
                "entity": "measure",
                "entity_id": "hamina-II.2-1",
                "field": "permanent",
                "old_value": "false",
                "new_value": "true",
                "action": "revert",
                "changed_by": "Matti",
                "changed_at": "2026-07-01T09:05:00+00:00",
                "reverts": 3,
            },
            {
                "change_id": 9,
                "entity": "measure",
                "entity_id": "x-I.1-9",
                "field": "*",
                "old_value": None,
                "new_value": '{"toimenpide": "x"}',
                "action": "create",
                "changed_by": "Matti",
                "changed_at": "2026-07-01T09:05:00+00:00",
                "reverts": None,
            },
        ]
    )


def test_history_table_speaks_the_grids_words():
    fi = history.history_table(_changes(), "fi")
    assert list(fi.columns) == [
        "Aika",
        "Muuttaja",
        "Kohde",
        "Tunniste",
        "Kenttä",
        "Vanha arvo",
        "Uusi arvo",
        "Toiminto",
    ]
    first = fi.iloc[0].tolist()
    assert first == [
        "1.12.2026 klo 0.19",
        "Matti",
        "Toimenpide",
        "hamina-II.2-1",
        t("col.contact", "fi"),
        "",
        "Liisa",
        "muutettu",
    ]
    assert fi.iloc[1].tolist()[4:] == [t("col.permanent", "fi"), "ei", "kyllä", "peruttu"]
    assert fi.iloc[2].tolist()[4:] == ["Koko rivi", "", "uusi rivi", "lisätty"]
    en = history.history_table(_changes(), "en")
    assert en.iloc[0].tolist()[0] == "1 Dec 2026 00:19" and en.iloc[0].tolist()[2] == "Measure"
    shown = " ".join(str(v) for v in fi.to_numpy().ravel())
    assert "change_id" not in fi.columns and "+00:00" not in shown and "measure" not in shown.split()


def test_revert_choice_reads_as_the_change():
    line = history.change_line(_changes().iloc[0].to_dict(), "fi")
    assert line == "1.12.2026 klo 0.19 · hamina-II.2-1 · Vastuuhenkilö: – → Liisa"
    assert "#7" not in line


def test_local_date_and_the_reports_printed_date():
    from core.base.timefmt import local_date

    assert local_date(date(2026, 12, 1), "fi") == "1.12.2026" and local_date(date(2026, 12, 1), "en") == "1 Dec 2026"
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", local_date())
