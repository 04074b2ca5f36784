import re
import shutil

import pytest
from django.core import mail

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser; the background-networking flags keep it
    # from calling out of this closed network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser(live_server, browser):
    """Chromium closes before the live server stops: the connections it keeps alive end while
    the server still shares the test database's connection (else each one's thread fails
    when the run ends, and the last test of the run is blamed with a warning)."""
    return browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 412, "height": 915}}


@pytest.fixture
def catalogue(transactional_db):
    from django.core.management import call_command

    call_command("load_catalogue", verbosity=0)


def last_code_mailed_to(address: str) -> str:
    for message in reversed(mail.outbox):
        if address in message.to:
            match = re.search(r"\b(\d{6})\b", message.body)
            if match:
                return match.group(1)
    raise AssertionError(f"no verification code was e-mailed to {address}")


def assert_accessible(page):
    """axe-core finds nothing serious or critical on the page (WCAG 2.1 AA rules)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state()  # a page still being replaced has no document to check
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious
    ]


def open_menu(page):
    """Open the header's menu when a narrow screen folds it behind its button."""
    toggle = page.get_by_role("button", name="Menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


# The innermost elements that stick out past the screen's right edge.
_WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))"""


def assert_fits_the_screen(page):
    """Nothing wider than the screen (no sideways scrolling); names what sticks out."""
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, page.evaluate(_WIDER_THAN_THE_SCREEN)


# The statistics exports (issue 14): shared by the export test and the dashboard's journey.
XLSX_FORMAT = "Excel (XLSX), theo mẫu biểu"
EXPORT_PAGE = r"/officer/reports/exports/[0-9a-f-]{36}/$"


def start_xlsx_export(page):
    """On the exports page: choose the XLSX form and start; lands on the export's own page."""
    from playwright.sync_api import expect

    page.get_by_label(XLSX_FORMAT).check()
    page.get_by_role("button", name="Xuất báo cáo").click()
    expect(page).to_have_url(re.compile(EXPORT_PAGE))


def download_export(page, *, timeout: int = 20000):
    """On the export's page: waits for the download link (the page polls the background
    build), downloads the file and opens it: (the download, its workbook)."""
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    link = page.get_by_role("link", name=re.compile("Tải tệp"))
    expect(link).to_be_visible(timeout=timeout)
    with page.expect_download() as info:
        link.click()
    download = info.value
    with open(download.path(), "rb") as file:  # saved without its extension
        return download, load_workbook(file)


def total_row(sheet) -> tuple:
    """The "Tổng cộng" line of form II.06a's sheet (its figures from the third column)."""
    return next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Tổng cộng")
