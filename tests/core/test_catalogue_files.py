"""The catalogue as data files: every text kept through the move, and a broken file stops the app loudly."""

from __future__ import annotations

import importlib.util
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from core.base.i18n import CATALOGUE, LOCALES_DIR, CatalogueError, key_part, load_catalogue

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "catalogue_snapshot.json"
# texts added or changed by branches merged after the move (scripts/catalogue_merge.py writes it)
CHANGES = SNAPSHOT.with_name("catalogue_changes.json")


def _merge_script():
    """scripts/catalogue_merge.py, which holds the renames of keys made when the texts became data."""
    spec = importlib.util.spec_from_file_location(
        "catalogue_merge", LOCALES_DIR.parents[2] / "scripts" / "catalogue_merge.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the keys that had spaces, non-ASCII letters or a wildcard before the texts became data
RENAMED = _merge_script().RENAMED
# the loader's problems used to be English sentences translated back by the exporter; now keys of their own
MOVED_PREFIXES = {"exporter.loader.": "loader."}


def _new_key(old: str) -> str:
    for before, after in MOVED_PREFIXES.items():
        if old.startswith(before):
            return after + old.removeprefix(before)
    return RENAMED.get(old, old)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_text_of_the_old_catalogue_is_unchanged(lang):
    """Each (key, language) text of the Python catalogue (snapshot taken before the move) is the same text now,
    but for the texts that later merges changed or added, each as the merge brought it."""
    old = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[lang]
    old |= json.loads(CHANGES.read_text(encoding="utf-8")).get(lang, {})
    now = CATALOGUE[lang]
    missing = sorted(k for k in old if _new_key(k) not in now)
    assert missing == []
    changed = sorted(k for k in old if now[_new_key(k)] != old[k])
    assert changed == []


def test_keys_are_ascii_without_spaces():
    for lang in ("fi", "en"):
        bad = [k for k in CATALOGUE[lang] if not k.isascii() or " " in k or k.endswith(".") or "*" in k]
        assert bad == []


@pytest.mark.parametrize(
    ("value", "part"),
    [
        ("melko korkea", "melko_korkea"),
        ("käynnissä", "kaynnissa"),
        ("päättynyt", "paattynyt"),
        ("ei muutosta", "ei_muutosta"),
        ("", "none"),
        (None, "none"),
        ("suunniteltu", "suunniteltu"),
    ],
)
def test_key_part_of_a_data_value(value, part):
    assert key_part(value) == part


def test_data_values_find_their_texts():
    """Every value a renamed key stands for (impact, measure status, preview action) has its text."""
    from core.io.importer import ADDED, CHANGED, UNCHANGED
    from core.plan.model import Impact, MeasureStatus

    for value in [*(i.value for i in Impact)]:
        assert f"impact.{key_part(value)}" in CATALOGUE["fi"]
    for value in [s.value for s in MeasureStatus]:
        assert f"timeline.chart.status.{key_part(value)}" in CATALOGUE["fi"]
    for value in (ADDED, CHANGED, UNCHANGED):
        assert f"importer.action.{key_part(value)}" in CATALOGUE["fi"]


def test_the_two_files_list_the_same_keys_in_the_same_order_and_groups():
    """Side by side, fi.yaml and en.yaml differ only in their texts: a review reads them line by line."""

    def outline(lang: str) -> list[str]:
        lines = (LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8").splitlines()[2:]  # past the title line
        return [
            line if line.startswith("#") else line.split(":")[0] for line in lines if line and not line.startswith(" ")
        ]

    assert outline("fi") == outline("en")
    assert list(CATALOGUE["fi"]) == list(CATALOGUE["en"])


def _write(tmp_path: Path, fi: str, en: str) -> Path:
    (tmp_path / "fi.yaml").write_text(fi, encoding="utf-8")
    (tmp_path / "en.yaml").write_text(en, encoding="utf-8")
    return tmp_path


GOOD_FI = textwrap.dedent("""\
    nav.goal: Päätavoite {goal}
    count.measures:
      one: "{n} toimenpide"
      other: "{n} toimenpidettä"
""")
GOOD_EN = textwrap.dedent("""\
    nav.goal: Main goal {goal}
    count.measures:
      one: "{n} measure"
      other: "{n} measures"
""")


def test_a_good_pair_of_files_loads(tmp_path):
    cat = load_catalogue(_write(tmp_path, GOOD_FI, GOOD_EN))
    assert cat["en"]["count.measures"] == {"one": "{n} measure", "other": "{n} measures"}


@pytest.mark.parametrize(
    ("fi", "en", "says"),
    [
        (GOOD_FI, "nav.goal: Main goal {goal}\n", "count.measures: missing from en.yaml"),
        (GOOD_FI + "extra.key: x\n", GOOD_EN, "extra.key: missing from en.yaml"),
        (GOOD_FI, GOOD_EN.replace("{goal}", "{number}"), "nav.goal: the placeholders differ"),
        (GOOD_FI, GOOD_EN.replace('"{n} measures"', '"many measures"'), "count.measures: the placeholders differ"),
        (GOOD_FI, GOOD_EN.replace("other:", "few:"), "exactly the non-empty forms one and other"),
        (GOOD_FI, GOOD_EN + "nav.goal: again\n", "given twice"),
        (GOOD_FI, "nav.goal: [unclosed\n", "en.yaml"),
        (GOOD_FI, "- a list\n", "must be a mapping"),
        (GOOD_FI.replace("nav.goal", "nav.main goal"), GOOD_EN.replace("nav.goal", "nav.main goal"), "without spaces"),
        (GOOD_FI.replace("nav.goal", "nav.päätavoite"), GOOD_EN.replace("nav.goal", "nav.päätavoite"), "ASCII"),
        (GOOD_FI, GOOD_EN.replace("Main goal {goal}", "''"), "nav.goal: the text is empty"),
    ],
)
def test_a_broken_catalogue_fails_loudly(tmp_path, fi, en, says):
    with pytest.raises(CatalogueError) as err:
        load_catalogue(_write(tmp_path, fi, en))
    assert says in str(err.value)


def test_a_missing_file_fails_loudly(tmp_path):
    (tmp_path / "fi.yaml").write_text("nav.goal: x\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="en.yaml"):
        load_catalogue(tmp_path)


def test_the_files_are_plain_yaml():
    """Any YAML tool reads them: one flat mapping per language, no tags or anchors."""
    for lang in ("fi", "en"):
        text = (LOCALES_DIR / f"{lang}.yaml").read_text(encoding="utf-8")
        assert yaml.safe_load(text) == CATALOGUE[lang]
        assert "&" not in "".join(line.split(":")[0] for line in text.splitlines())


def test_a_branch_with_the_python_catalogue_merges_into_the_files(tmp_path, monkeypatch, capsys):
    """scripts/catalogue_merge.py: a branch's new block is appended under its comment, a changed text rewritten."""
    import shutil

    merge = _merge_script()
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    shutil.copy(CHANGES, tmp_path / "changes.json")
    monkeypatch.setattr(merge, "LOCALES", tmp_path / "locales")
    monkeypatch.setattr(merge, "CHANGES", tmp_path / "changes.json")
    branch = tmp_path / "i18n.py"
    branch.write_text(
        textwrap.dedent("""\
        CATALOGUE: dict = {
            "fi": {
                "nav.goal": "Päätavoite nro {goal}",
                "impact.melko korkea": "melko korkea",
                "minutes.count": "{n} muutosta.",
                # h9: a new area
                "h9.title": "Uusi",
                "h9.count": {"one": "{n} rivi", "other": "{n} riviä"},
            },
            "en": {
                "nav.goal": "Main goal no. {goal}",
                "impact.melko korkea": "fairly high",
                "minutes.count": "{n} changes.",
                # h9: a new area
                "h9.title": "New",
                "h9.count": {"one": "{n} row", "other": "{n} rows"},
            },
        }
    """),
        encoding="utf-8",
    )
    assert merge.main([str(branch), "--write"]) == 0
    assert "1 changed ['nav.goal']" in capsys.readouterr().out
    cat = load_catalogue(tmp_path / "locales")
    assert cat["fi"]["nav.goal"] == "Päätavoite nro {goal}" and cat["en"]["h9.count"]["other"] == "{n} rows"
    assert list(cat["fi"])[-2:] == ["h9.title", "h9.count"] and "impact.melko korkea" not in cat["fi"]
    assert (
        (tmp_path / "locales" / "en.yaml")
        .read_text(encoding="utf-8")
        .endswith("\n# h9: a new area\nh9.title: New\nh9.count:\n  one: '{n} row'\n  other: '{n} rows'\n")
    )
    changes = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))["en"]
    assert changes["h9.title"] == "New" and changes["nav.goal"] == "Main goal no. {goal}"
    # the branch still has the text it started from: the newer one (a plural) stays
    assert cat["en"]["minutes.count"] == {"one": "{n} change.", "other": "{n} changes."}
