"""The office's dossier list (/kantoor): tabs Mijn / Kantoor / Geldverstrekkers, lender filter, search, sort, pages.

Bob's office (Amstel Hypotheekadvies) has 300+ demo dossiers; other tests add more (fresh clients),
so every expected count and order is read from the server's database at the moment of the check.
Carol (notary office) sees only her office's two notarial dossiers.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .data import sql
from .helpers import Server, assert_no_axe_violations, login_as

PAGE_SIZE = 25


def _office_where(server: Server) -> tuple[str, list]:
    office = sql(server, "SELECT id FROM office WHERE name = 'Amstel Hypotheekadvies'")[0][0]
    return "(handling_office_id = ? OR intermediary_office_id = ?)", [office, office]


def count(server: Server, extra: str = "", *params) -> int:
    where, args = _office_where(server)
    return sql(server, f"SELECT count(*) FROM dossier WHERE {where} {extra}", *args, *params)[0][0]


def references(server: Server, order: str, page: int) -> list[str]:
    where, args = _office_where(server)
    rows = sql(server, f"SELECT reference FROM dossier WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
               *args, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return [r[0] for r in rows]


def rows(page: Page):
    return page.get_by_role("main").locator("a[href^='/kantoor/dossiers/']")


def expect_count(page: Page, n: int) -> None:
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(f"{n} dossiers")
    expect(rows(page)).to_have_count(min(n, PAGE_SIZE))
    pages = max(1, -(-n // PAGE_SIZE))
    if pages > 1:
        expect(page.get_by_role("navigation", name="Paginering")).to_contain_text(f"Pagina 1 van {pages}")
    else:
        expect(page.get_by_role("navigation", name="Paginering")).to_have_count(0)


def choose(page: Page, combobox: str, option: str) -> None:
    page.get_by_role("combobox", name=combobox).click()
    page.get_by_role("option", name=option, exact=True).click()


def search(page: Page, text: str) -> None:
    page.get_by_label("Zoek op klantnaam of referentie").fill(text)
    page.get_by_role("button", name="Zoeken", exact=True).click()


def test_office_tabs_filter_search_sort_and_pages(page, portal_server: Server, viewport):
    server = portal_server
    login_as(page, server.base_url, "bob@amstelhypotheek.nl", "/kantoor")
    bob = sql(server, "SELECT id FROM user WHERE email = 'bob@amstelhypotheek.nl'")[0][0]
    everything = count(server)
    assert everything > 300

    # Kantoor (the default tab): every dossier of the office
    expect(page.get_by_role("tab", name="Kantoor")).to_have_attribute("aria-selected", "true")
    expect_count(page, everything)
    assert_no_axe_violations(page, f"/kantoor, tab Kantoor ({viewport})")

    # Mijn: only Bob's own
    page.get_by_role("tab", name="Mijn").click()
    mine = count(server, "AND adviser_user_id = ?", bob)
    assert 0 < mine < everything
    expect_count(page, mine)
    for row in rows(page).all()[:5]:
        expect(row).to_contain_text("Adviseur: Bob Smit")
    assert_no_axe_violations(page, f"/kantoor, tab Mijn ({viewport})")

    # Geldverstrekkers: everything until a lender is chosen, then only that lender's
    page.get_by_role("tab", name="Geldverstrekkers").click()
    expect_count(page, everything)
    assert_no_axe_violations(page, f"/kantoor, tab Geldverstrekkers ({viewport})")
    choose(page, "Geldverstrekker", "ING")
    ing = count(server, "AND lender = 'ING'")
    assert 0 < ing < everything
    expect_count(page, ing)
    for row in rows(page).all():
        expect(row.get_by_text(re.compile(r"^Hypotheek · ING( · .*)?$"))).to_have_count(1)
    choose(page, "Geldverstrekker", "Obvion")
    expect_count(page, count(server, "AND lender = 'Obvion'"))

    # search by part of a client's name, then by part of a reference (back on Kantoor)
    page.get_by_role("tab", name="Kantoor").click()
    expect_count(page, everything)
    search(page, "Jansen")
    jansen = count(server, "AND client_names LIKE '%jansen%'")
    assert jansen > 1
    expect_count(page, jansen)
    for row in rows(page).all()[:10]:
        expect(row).to_contain_text(re.compile("jansen", re.I))
    expect(page.get_by_role("main")).to_contain_text("HYP-2026-0150")  # Bakkerij Jansen B.V.
    page.get_by_role("button", name="Zoekopdracht wissen").click()
    expect_count(page, everything)
    search(page, "2025-104")
    expect_count(page, 10)
    assert sorted(rows(page).locator(".mono").all_inner_texts()) == [f"HYP-2025-{n}" for n in range(1040, 1050)]
    page.get_by_role("button", name="Zoekopdracht wissen").click()
    expect_count(page, everything)

    # sort by reference, then page through
    choose(page, "Sorteren", "Referentie")
    by_reference = "reference ASC, id ASC"
    first_page = references(server, by_reference, 1)
    expect(rows(page).locator(".mono")).to_have_text(first_page)
    assert first_page == sorted(first_page)
    pages = -(-everything // PAGE_SIZE)
    pager = page.get_by_role("navigation", name="Paginering")
    expect(pager.get_by_role("button", name="Vorige")).to_be_disabled()
    pager.get_by_role("button", name="Volgende").click()
    expect(pager).to_contain_text(f"Pagina 2 van {pages}")
    second_page = references(server, by_reference, 2)
    assert not set(first_page) & set(second_page)
    expect(rows(page).locator(".mono")).to_have_text(second_page)
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(f"{everything} dossiers")
    pager.get_by_role("button", name="Vorige").click()
    expect(pager).to_contain_text(f"Pagina 1 van {pages}")
    expect(rows(page).locator(".mono")).to_have_text(first_page)


def test_notary_sees_only_her_offices_dossiers(page, portal_server: Server, viewport):
    login_as(page, portal_server.base_url, "carol@notarisvandijk.nl", "/kantoor")
    expect(page.get_by_role("main")).to_contain_text("Notariskantoor Van Dijk")
    expect_count(page, 2)
    assert sorted(rows(page).locator(".mono").all_inner_texts()) == ["NOT-2026-0077", "NOT-2026-0081"]
    expect(page.get_by_role("main")).not_to_contain_text("HYP-")
    page.get_by_role("tab", name="Mijn").click()  # she is no adviser: none of them is "hers"
    expect(page.get_by_role("main").get_by_role("status")).to_have_text("0 dossiers")
    page.get_by_role("tab", name="Kantoor").click()
    expect_count(page, 2)
    search(page, "HYP-2026-0142")  # another office's dossier: not found by reference either
    expect(page.get_by_text("Er zijn geen dossiers.")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text("0 dossiers")
