"""Explore in a real browser: the age-group filter changes the chart and lives in the URL."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import choose, wait_idle


def chart_text(page) -> str:
    charts = page.locator('.st-key-ind_I_charts [data-testid="stPlotlyChart"]')
    expect(charts.first).to_be_visible(timeout=30000)
    return "\n".join(charts.all_inner_texts())


def test_age_group_filter_changes_chart_and_url(page, app_server):
    page.goto(f"{app_server.url}/paatavoite-1")
    wait_idle(page)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30000)  # the goal tab
    page.get_by_role("tab", name="Indikaattorit").click()
    expect(page).to_have_url(re.compile(r"nakyma=indikaattorit"))
    wait_idle(page)
    before = chart_text(page)
    choose(page, "Ikäryhmä / vastaajaryhmä", "Lukio")
    expect(page).to_have_url(re.compile(r"ryhma=lukio"))
    after = chart_text(page)
    assert after != before
    # all groups: each bar's text starts with its group ("Lukio: 76 % …"); one group: values only
    assert "Lukio:" in before and "Lukio:" not in after

    # the copied link opens the same view in a fresh page
    link = page.url
    fresh = page.context.new_page()
    fresh.goto(link)
    wait_idle(fresh)
    expect(fresh.get_by_role("combobox", name="Ikäryhmä / vastaajaryhmä")).to_have_value("Lukio")
    expect(fresh.get_by_role("tab", name="Indikaattorit")).to_have_attribute("aria-selected", "true")
    assert chart_text(fresh) == after
    fresh.close()


def test_nonsense_parameters_show_a_notice_not_an_error(page, app_server):
    page.goto(f"{app_server.url}/toimenpiteet?ryhma=xyz&toimija=poliisi,eiole&foo=%3Cscript%3E")
    wait_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Linkin parametrin 'ryhma' arvoa 'xyz' ei tunnistettu")).to_be_visible()
    expect(page.get_by_text("Linkin parametria 'foo' ei tunnistettu")).to_be_visible()
    # the valid part of the link still applies
    expect(page.get_by_text("13 toimenpidettä (lisäksi 3 muuta taulukon riviä")).to_be_visible()


def test_english_switch(page, app_server):
    page.goto(f"{app_server.url}/?lang=en")
    wait_idle(page)
    expect(page.get_by_text("Measures per actor and main goal")).to_be_visible()


def test_language_switch_then_another_page_has_no_error(page, app_server):
    # the browser keeps a selectbox's value as its label; after a language switch the old label
    # came back on the next page and crashed the sidebar (KeyError 'All groups')
    page.goto(f"{app_server.url}/toimenpiteet?lang=en&ryhma=lukio")
    wait_idle(page)
    page.get_by_text("suomi", exact=True).click()
    wait_idle(page)
    page.get_by_role("link", name="Aikajana").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page).to_have_url(re.compile(r"ryhma=lukio"))
    expect(page.get_by_role("combobox", name="Ikäryhmä / vastaajaryhmä")).to_have_value("Lukio")


def test_first_deep_link_after_a_server_start_opens_the_page_without_a_dialog(browser, tmp_path):
    """A sleeping Community Cloud app wakes on a shared link: the very first visit is the deep link."""
    from tests.browser.conftest import running

    with running(f"sqlite:///{tmp_path / 'first.db'}", {"KYMLAPSET_EDITOR_PASSCODE": ""}) as server:  # no warm-up
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{server.url}/paatavoite-2?ryhma=lk8_9&nakyma=indikaattorit")
        wait_idle(page)
        page.wait_for_timeout(1000)
        assert page.locator('[role="dialog"]').count() == 0  # no "Page not found"
        expect(page.get_by_role("heading", name="Päätavoite II", exact=False).first).to_be_visible()
        assert "/paatavoite-2" in page.url and "ryhma=lk8_9" in page.url
        page.close()
