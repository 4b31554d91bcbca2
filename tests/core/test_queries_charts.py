"""Table and figure builders: for a filter, the right indicators, groups, values and colours."""

from __future__ import annotations

import pandas as pd
import pytest

from core.plan.schedule import parse_schedule
from core.views import chart_style, charts, heatmaps, plan_charts, queries
from core.views.chart_style import STATUS_STYLE


@pytest.fixture()
def obs(plan):
    return queries.observations_frame(plan)


def test_linked_indicators_of_goal_i(plan):
    pairs = queries.linked_indicators(plan, "I")
    ids = {i for i, _ in pairs}
    assert {7, 10, 28, 31} <= ids
    assert len(pairs) == len(set(pairs))


def test_comparison_for_one_group(plan, obs):
    frame = queries.comparison_frame(plan, obs, [(7, ""), (31, "")], ["lk4_5"], "fi")
    assert list(frame["group_id"]) == ["lk4_5", "lk4_5"]
    row7 = frame[frame["indicator_id"] == 7].iloc[0]
    assert (row7["value"], row7["national"], row7["status"]) == (88.0, 89.5, "neutraali")
    row31 = frame[frame["indicator_id"] == 31].iloc[0]
    assert row31["diff"] == pytest.approx(0.7)
    assert row31["source"].startswith("Kouluterveyskysely")


def test_comparison_statuses(plan, obs):
    frame = queries.comparison_frame(plan, obs, None, None, "fi").set_index(["indicator_id", "series_id", "group_id"])
    assert frame.loc[(11, "", "lk4_5"), "status"] == "neutraali"  # 4 vs 3.4, lower better
    assert frame.loc[(22, "", "lukio"), "status"] == "huolestuttava"  # 18 vs 15.9, overweight, lower better
    assert frame.loc[(20, "", "huoltajat_4v"), "status"] == "hyva"  # 25 vs 29.4, lower better
    assert frame.loc[(15, "", "huoltajat_4v"), "status"] == "ei_vertailua"  # no national value
    # the document's suspected typo (23,2 %) is shown, but makes no judgement
    typo = frame.loc[(24, "", "ammatillinen")]
    assert typo["status"] == "ei_vertailua" and "suspected_typo" in typo["flag"]


def test_missing_for_group(plan, obs):
    pairs = queries.linked_indicators(plan, "I")
    missing = queries.missing_for_group(plan, obs, pairs, "lk4_5", "fi")
    assert any(label.startswith("22 ") for label in missing)  # overweight (22) has no 4.–5. lk value
    assert not any(label.startswith("7 ") for label in missing)


def test_comparison_figure_colours_symbols_and_national(plan, obs):
    frame = queries.comparison_frame(plan, obs, [(22, ""), (20, ""), (7, "")], ["lukio", "huoltajat_4v"], "fi")
    fig = charts.indicator_comparison_figure(frame, "fi")
    bars = {tr.name: tr for tr in fig.data if tr.type == "bar"}
    concern = bars[chart_style.status_text("huolestuttava", "fi")]
    assert concern.marker.color == STATUS_STYLE["huolestuttava"]["color"]
    assert concern.marker.pattern.shape == "x"
    labels = [a.text for a in fig.layout.annotations]
    assert sum("!" in a for a in labels) == len(concern.x)  # the symbol, not only the colour
    # value, symbol, status word and the country's value written right above the bar (NBSP keeps "25 %" whole)
    assert "4-v. lasten huoltajat: <b>25\u00a0%</b> ✓\u00a0hyvä · ◆\u00a029,4\u00a0%" in [
        a.replace("<br>", " ") for a in labels
    ]
    assert "◆ = koko maa" in labels
    good = bars[chart_style.status_text("hyva", "fi")]
    assert list(good.x) == [25.0]
    national = [tr for tr in fig.data if tr.type == "scatter"][0]
    assert sorted(national.x) == sorted(frame["national"].dropna())
    assert "Koko maa" in fig.data[0].hovertemplate


def test_palette_is_distinct_and_symbols_unique():
    colours = [s["color"] for s in STATUS_STYLE.values()]
    symbols = [s["symbol"] for s in STATUS_STYLE.values()]
    assert len(set(colours)) == len(colours) and len(set(symbols)) == len(symbols)


def test_english_labels(plan, obs):
    frame = queries.comparison_frame(plan, obs, [(7, "")], ["lukio"], "en")
    assert frame.iloc[0]["label"].startswith("7 ") and frame.iloc[0]["status_label"] in (
        "good",
        "neutral",
        "concerning",
    )
    fig = charts.indicator_comparison_figure(frame, "en")
    national = [tr for tr in fig.data if tr.name == "Whole country"]
    assert national and national[0].marker.symbol == "diamond"


def test_heatmap_cells(plan, obs):
    frame = queries.comparison_frame(plan, obs, [(7, ""), (31, "")], None, "fi")
    groups = [("lk4_5", "4.–5. lk"), ("lukio", "Lukio")]
    fig = heatmaps.status_heatmap(frame, groups, "fi")
    hm = fig.data[0]
    assert list(fig.layout.xaxis.ticktext) == ["4.–5. lk", "Lukio"]
    assert list(hm.z[0]) == [None, None] and hm.z[1][0] == 2  # a band for the name, then indicator 7: 4.–5. lk neutral
    cells = [a for a in fig.layout.annotations if a.xref != "paper"]
    first = next(a for a in cells if a.x == 0)
    assert first.text.startswith("≈") and first.font.color == "#000000"
    names = [a.text for a in fig.layout.annotations if a.xref == "paper"]
    assert names[:2] == ["7 Tyytyväinen elämäänsä", "31 Koulukiusattuna vähintään kerran<br>viikossa"]  # wrapped


def test_heatmap_colour_scale_gives_each_status_its_colour():
    from core.views.chart_style import STATUS_STYLE

    frame = pd.DataFrame(
        [
            {
                "indicator_id": i,
                "series_id": "",
                "label": f"{i} x",
                "group_id": "g",
                "status": s,
                "value": 1.0,
                "national": 1.0,
                "unit": "percent",
            }
            for i, s in enumerate(["hyva", "neutraali", "huolestuttava", "ei_vertailua"], start=1)
        ]
    )
    hm = heatmaps.status_heatmap(frame, [("g", "G")], "fi").data[0]
    scale = [(float(p), c) for p, c in hm.colorscale]

    def colour_of(code):
        pos = (code - hm.zmin) / (hm.zmax - hm.zmin)
        return [c for p, c in scale if p <= pos][-1]

    assert [colour_of(z[0]) for z in hm.z if z[0] is not None] == [
        STATUS_STYLE[s]["color"] for s in ["hyva", "neutraali", "huolestuttava", "ei_vertailua"]
    ]


def test_filter_measures(plan):
    m = queries.measures_frame(plan)
    f = queries.filter_measures
    assert len(f(m, queries.Filters(actors=("poliisi",)))) == 16
    assert len(f(m, queries.Filters(actors=("poliisi", "hamina"), goal="III"))) == 6
    assert len(f(m, queries.Filters(subgoal="I.7"))) == 11
    hits = f(m, queries.Filters(search="EET-RYHMÄ"))
    assert set(hits["actor_id"]) == {"poliisi"}


def test_measures_download_has_readable_names_and_no_grid_internals(plan):
    hits = queries.filter_measures(queries.measures_frame(plan), queries.Filters(actors=("poliisi",)))
    download = queries.measures_download(plan, hits, "en")
    assert list(download.columns) == [
        *("measure_id", "actor", "subgoal", "toimenpide", "mittari", "aikataulu", "toimijat", "seuranta"),
        *("status", "start_year", "end_year", "permanent", "contact"),
    ]
    assert len(download) == 16 and download["subgoal"].iloc[0].startswith("I.")
    assert download["actor"].iloc[0] != "poliisi"  # the actor's name, not its id


def test_measure_counts_and_subgoal_table(plan):
    counts = queries.measure_counts(plan, queries.measures_frame(plan), "fi")
    assert len(counts) == 33
    assert counts[(counts["actor_id"] == "kymsote") & (counts["goal_id"] == "I")]["count"].iloc[0] == 7
    table = queries.subgoal_table(plan, "II", "fi")
    assert len(table) == 6 and table.iloc[0]["difficulty"] == "helppo"


def test_service_mix_and_matrix_figures(plan):
    fig = plan_charts.service_mix_figure(sorted(plan.goals, key=lambda g: g.number), "fi")
    assert [list(tr.x) for tr in fig.data] == [[50, 70, 50], [35, 25, 30], [15, 5, 20]]
    fig = plan_charts.subgoal_matrix_figure(plan.subgoals_of("I"), "fi")
    assert sorted(fig.data[0].text) == ["I.1", "I.2", "I.3", "I.4", "I.5", "I.6"]
    assert "I.7" in fig.layout.annotations[0].text


@pytest.mark.parametrize(
    ("text", "start", "end", "permanent"),
    [
        ("2020 alkaen", 2020, None, False),
        ("Pysyvää", None, None, True),
        ("2021–2023", 2021, 2023, False),
        ("vuoden 2020 aikana", 2020, 2020, False),
        ("Pysyvää toimintaa 2020 alkaen", 2020, None, True),
        ("", None, None, False),
        ("Syksy 2020 - kevät 2021", 2020, 2021, False),
        ("Jatkuva", None, None, True),
        ("Aloitettu vuonna 2019", 2019, None, False),
        ("Aloitettu vuoden 2020 alussa", 2020, None, False),
        ("Lyhyt kokeilu", None, None, False),
    ],
)
def test_parse_schedule(text, start, end, permanent):
    s = parse_schedule(text)
    assert (s.start_year, s.end_year, s.permanent) == (start, end, permanent)


def test_trend_frame(plan):
    obs = pd.concat(
        [
            queries.observations_frame(plan),
            pd.DataFrame(
                [
                    {
                        "indicator_id": 7,
                        "series_id": "",
                        "group_id": "lk4_5",
                        "area": "kymenlaakso",
                        "year": 2021,
                        "value": 80.0,
                        "value_as_printed": "80 %",
                        "flag": "",
                        "note": "",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    tf = queries.trend_frame(plan, obs, 7, "", "lk4_5", "fi")
    assert list(tf["year"]) == [2019, 2019, 2021]
    assert set(tf[tf["area"] == "kymenlaakso"]["trend"]) == {"heikkenee"}


def test_patterns_overlay_the_colour_never_replace_it(plan, mini_store, mini_plan):
    """A pattern drawn in 'replace' mode hides the fill colour: every patterned trace must overlay."""
    from datetime import date

    from core.views.evaluation import evaluation_figure, evaluation_summary
    from core.views.timeline import timeline_figure
    from core.views.vuosikello import load_default_events, vuosikello_figure

    obs = queries.observations_frame(plan)
    figures = [
        charts.indicator_comparison_figure(queries.comparison_frame(plan, obs, None, ["lukio"], "fi"), "fi"),
        plan_charts.service_mix_figure(list(plan.goals), "fi"),
        heatmaps.status_by_goal_figure(
            pd.DataFrame({"goal_id": ["I"] * 4, "status": chart_style.STATUS_ORDER, "count": [1, 2, 3, 4]}),
            {"I": "I"},
            "fi",
        ),
        evaluation_figure(
            evaluation_summary(mini_store.measures(), mini_store.evaluations(2025), mini_plan, by="actor", year=2025),
            "fi",
        ),
        timeline_figure(mini_plan, mini_store.measures(), "fi"),
        vuosikello_figure(pd.DataFrame(load_default_events()), "fi", today=date(2026, 11, 28)),
    ]
    patterned = 0
    for fig in figures:
        for tr in fig.data:
            pattern = getattr(getattr(tr, "marker", None), "pattern", None)
            if pattern is not None and pattern.shape:
                patterned += 1
                assert pattern.fillmode == "overlay", (fig.layout.title, tr.name)
    assert patterned >= 5


def _font_sizes(fig) -> list[tuple[str, float]]:
    """Every font size a figure sets (layout, axes, legend, hover, annotations, trace text)."""
    lay = fig.layout
    sizes = [("layout", lay.font.size), ("hover", lay.hoverlabel.font.size), ("legend", lay.legend.font.size)]
    for ax in ("xaxis", "yaxis"):
        axis = getattr(lay, ax)
        sizes += [(f"{ax}.tick", axis.tickfont.size), (f"{ax}.title", axis.title.font.size)]
    if lay.title.text:
        sizes.append(("title", lay.title.font.size))
    sizes += [(f"annotation {a.text[:20]}", a.font.size) for a in lay.annotations]
    for tr in fig.data:
        textfont = getattr(tr, "textfont", None)
        if textfont is not None:
            sizes.append((f"trace {tr.name}", textfont.size))
    if lay.uniformtext.minsize is not None:
        sizes.append(("uniformtext", lay.uniformtext.minsize))
    return [(where, s) for where, s in sizes if s is not None]


def _every_figure(plan, obs):
    frame = queries.comparison_frame(plan, obs, queries.linked_indicators(plan, "I"), None, "fi")
    survey = [(g.group_id, g.name_fi) for g in sorted(plan.groups, key=lambda g: g.sort_order) if g.kind == "survey"]
    counts = queries.measure_counts(plan, queries.measures_frame(plan), "fi")
    return {
        "comparison": charts.indicator_comparison_figure(frame[frame["unit"] == "percent"].head(8), "fi", title="T"),
        "heatmap": heatmaps.status_heatmap(frame, survey[:4], "fi"),
        "status_by_goal": heatmaps.status_by_goal_figure(
            pd.DataFrame({"goal_id": ["I"] * 4, "status": chart_style.STATUS_ORDER, "count": [1, 2, 3, 4]}),
            {"I": "I"},
            "fi",
        ),
        "service_mix": plan_charts.service_mix_figure(list(plan.goals), "fi"),
        "matrix": plan_charts.subgoal_matrix_figure(plan.subgoals_of("I"), "fi"),
        "measure_counts": heatmaps.measure_counts_figure(counts, "fi"),
    }


def test_every_chart_text_is_at_least_14_px_in_dark_ink(plan, obs):
    for name_, fig in _every_figure(plan, obs).items():
        sizes = _font_sizes(fig)
        assert sizes and all(s >= 14 for _, s in sizes), (name_, [x for x in sizes if x[1] < 14])
        assert fig.layout.font.color == chart_style.INK, name_
        assert fig.layout.template.layout.font.color is not None  # the figure's own template, not Streamlit's
        for ax in ("xaxis", "yaxis"):
            assert getattr(fig.layout, ax).tickfont.color == chart_style.INK, (name_, ax)


@pytest.mark.parametrize(
    ("label", "width", "expected"),
    [
        ("7 Tyytyväinen elämäänsä", 28, "7 Tyytyväinen elämäänsä"),
        (
            "18 Ei tukea ja apua koulun aikuisilta tai palveluista",
            28,
            "18 Ei tukea ja apua koulun<br>aikuisilta tai palveluista",
        ),
        ("Elintaso & <työssäkäynti>", 12, "Elintaso &amp;<br>&lt;työssäkäynti&gt;"),  # escaped, never split in a word
        ("Ammattikoulu", 8, "Ammattikoulu"),
    ],
)
def test_wrap_label_breaks_at_word_boundaries(label, width, expected):
    wrapped = chart_style.wrap_label(label, width)
    assert wrapped == expected
    assert chart_style.line_count(wrapped) == expected.count("<br>") + 1


def test_comparison_height_follows_the_label_lines(plan, obs):
    short = queries.comparison_frame(plan, obs, [(22, "")], ["lukio"], "fi")  # "22 Ylipainoisuus": one line
    long = queries.comparison_frame(plan, obs, [(18, "")], ["lukio"], "fi")  # 108 characters: four lines
    h_short = charts.indicator_comparison_figure(short, "fi").layout.height
    h_long = charts.indicator_comparison_figure(long, "fi").layout.height
    assert h_long - h_short == 3 * chart_style.LINE_PX
    fig = charts.indicator_comparison_figure(long, "fi")
    heading = fig.layout.annotations[0].text
    assert heading.startswith("<b>18 Ei tukea") and all(
        len(line) <= chart_style.LABEL_WIDTH + 7
        for line in heading.replace("<b>", "").replace("</b>", "").split("<br>")
    )
    # the y axis counts pixels: the plot area is exactly as tall as the rows, so text never crowds a bar
    m = fig.layout.margin
    assert fig.layout.yaxis.range[0] == fig.layout.height - m.t - m.b and m.autoexpand is False


def test_goal_i_is_split_per_subgoal_in_charts_of_at_most_eight_bars(plan, obs):
    frame = queries.comparison_frame(plan, obs, queries.linked_indicators(plan, "I"), None, "fi")
    assert len(frame) > 40  # the 45-bar chart of the issue
    sections = charts.subgoal_sections(plan, "I", "fi")
    assert [h.split(" ")[0] for h, _ in sections] == ["I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "I.7"]
    assert sections[0][0] == "I.1 Lasten ja nuorten arvostaminen"
    assert (16, "avohuolto_vuoden_aikana") in sections[5][1]  # a link to an indicator's series
    parts = charts.split_comparison(frame, sections, lang="fi")
    assert all(len(part) <= charts.MAX_BARS for _, _, part, _ in parts)
    headings = [h for h, _, _, _ in parts]
    assert headings[0] == "I.1 Lasten ja nuorten arvostaminen (osa 1/2)"
    assert "I.2 Vanhemmuuden tukeminen" in headings
    assert {u for _, u, _, _ in parts if u == "count"} == {"count"}  # child-protection counts on their own axis
    # an indicator's bars stay together, and every value of the goal is in some chart
    for _, _, part, order in parts:
        assert set(zip(part["indicator_id"], part["series_id"], strict=True)) == set(order)
    shown = {(r.indicator_id, r.series_id, r.group_id) for _, _, part, _ in parts for r in part.itertuples()}
    assert shown == {(r.indicator_id, r.series_id, r.group_id) for r in frame.itertuples()}
    # a short set is not split (one group chosen: 8 bars or fewer in one chart per unit)
    few = queries.comparison_frame(plan, obs, queries.linked_indicators(plan, "II"), ["lk4_5"], "fi")
    assert [(h, u) for h, u, _, _ in charts.split_comparison(few, sections)] == [(None, "percent")]


def test_indicators_page_splits_per_category(plan, obs):
    frame = queries.comparison_frame(plan, obs, None, None, "fi")
    parts = charts.split_comparison(frame, charts.category_sections(plan), lang="en")
    assert all(len(part) <= charts.MAX_BARS for _, _, part, _ in parts)
    assert parts[0][0] == "Väestön kehitys" and any("(part 1/" in h for h, _, _, _ in parts)


def test_heatmap_keeps_to_four_columns_with_names_above_rows(plan, obs):
    survey = [(g.group_id, g.name_fi) for g in sorted(plan.groups, key=lambda g: g.sort_order) if g.kind == "survey"]
    frame = queries.comparison_frame(plan, obs, None, None, "fi")
    chunks = heatmaps.heatmap_column_chunks(survey, set(frame["group_id"]))
    assert [[g for g, _ in c] for c in chunks] == [["lk4_5", "lk8_9", "lukio", "ammatillinen"], ["huoltajat_4v"]]
    fig = heatmaps.status_heatmap(frame, chunks[1], "fi")
    names = [a.text for a in fig.layout.annotations if a.xref == "paper"][:-1]  # the last is the status key
    assert names[0] == "7 Tyytyväinen elämäänsä" and len(names) == 7  # parents' indicators only
    key = fig.layout.annotations[-1].text
    assert all(chart_style.status_text(s, "fi") in key for s in chart_style.STATUS_ORDER)
    assert list(fig.layout.xaxis.ticktext) == ["4-v. lasten<br>huoltajat"]  # wrapped header


def test_population_change_axis_says_change_in_per_cent(plan, obs):
    frame = queries.comparison_frame(plan, obs, [(1, "ennuste_0_6")], None, "fi")
    assert not frame.empty
    fig = charts.indicator_comparison_figure(frame, "fi")
    assert fig.layout.xaxis.title.text == "Muutos, %"  # not "Arvo": the bars are a change in per cent


@pytest.mark.parametrize(
    ("unit", "lang", "title"),
    [
        ("percent", "fi", "Osuus, %"),
        ("percent_change", "fi", "Muutos, %"),
        ("percent_change", "en", "Change, %"),
        ("per_1000", "fi", "Tuhatta kohden"),  # a rate, not "Arvo"
        ("per_10000", "en", "Per 10,000"),
        ("count", "fi", "Lukumäärä"),  # goal III's child protection notifications
        (None, "en", "Value"),
    ],
)
def test_value_axis_title(unit, lang, title):
    assert chart_style.value_axis_title(unit, lang) == title


def test_service_mix_writes_a_narrow_last_share_beside_the_bar(plan):
    fig = plan_charts.service_mix_figure(list(plan.goals), "fi")
    (intensive,) = [tr for tr in fig.data if tr.name == "tehostetut palvelut"]
    where = dict(zip(intensive.text, intensive.textposition, strict=True))
    assert where["15 %"] == "outside" and where["5 %"] == "outside"  # cut by their own segment's edges inside
    assert where["20 %"] == "inside"
    assert fig.layout.margin.r >= 48 and intensive.cliponaxis is False


def test_measure_counts_name_each_actor_above_its_cells_with_the_goal_numbers_level(plan):
    counts = queries.measure_counts(plan, queries.measures_frame(plan), "fi")
    fig = heatmaps.measure_counts_figure(counts, "fi")
    assert list(fig.layout.xaxis.ticktext) == [g.goal_id for g in sorted(plan.goals, key=lambda g: g.number)]
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis.title.text == "Päätavoite"
    names = [a.text.replace("<br>", " ") for a in fig.layout.annotations if a.xref == "paper" and a.yref == "y"]
    assert names == list(dict.fromkeys(counts["actor"]))
    assert fig.layout.margin.l <= 10  # no left margin for names: the cells take the phone's width
