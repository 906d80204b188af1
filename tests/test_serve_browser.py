"""End to end: the real server (uvicorn on a free loopback port) in headless Chromium.

From the evidence map to a statement to a document, the concept page and search with
suggestions, an upload through the form, and a scraped page whose ``<script>`` must show as
text and never run. Screenshots go to the pytest tmp dir and to build/screenshots/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from evimap.api import Evimap
from evimap.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"

if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
    pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium "
                "chromium-driver; `make test` installs them where it can)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ev(tmp_path_factory, settings: Settings, seeds_dir: Path, resources) -> Iterator[Evimap]:
    db = tmp_path_factory.mktemp("browser") / "seeds.duckdb"
    ev = Evimap(db, replace(settings, db=str(db)))
    ev._resources = resources
    assert not ev.ingest([str(seeds_dir)]).errors
    yield ev
    ev.close()


@pytest.fixture(scope="module")
def server(ev: Evimap, settings: Settings) -> Iterator[str]:
    """``evimap serve`` in a thread: the same app and uvicorn, on a free loopback port."""
    import uvicorn

    from evimap.serve import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(replace(settings, db=ev.store.path), ev),
                            host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(driver: webdriver.Chrome, name: str) -> None:
        # the whole page, not just the window
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, min(max(1000, int(height)), 6000))
        path = folder / f"{name}.png"
        assert driver.save_screenshot(str(path))
        shutil.copy(path, SCREENSHOTS / path.name)
        driver.set_window_size(1280, 1000)

    return shot


def _wait(driver: webdriver.Chrome, css: str, timeout: float = 10):
    return WebDriverWait(driver, timeout).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_map_to_statement_to_document(server, browser, ev, shots):
    browser.get(server + "/")
    _wait(browser, "svg.map")
    assert browser.title.startswith("Evidence map")
    shots(browser, "1-evidence-map")
    (cell,) = [c for c in ev.evidence_map()["cells"]
               if (c["subject_id"], c["object_id"]) == ("D007649", "D008881")]
    bubble = browser.find_element(By.CSS_SELECTOR, f'a.cell[href="/statements/{cell["key"]}"]')
    bubble.find_element(By.TAG_NAME, "circle").click()

    _wait(browser, "h1.statement")
    assert browser.current_url.endswith(f"/statements/{cell['key']}")
    heading = browser.find_element(By.CSS_SELECTOR, "h1.statement").text
    assert "Ketamine" in heading and "Migraine Disorders" in heading
    assert browser.find_elements(By.CSS_SELECTOR, "blockquote.paragraph mark.sentence")
    assert "Why this belief" in browser.page_source
    shots(browser, "2-statement")
    browser.find_element(By.CSS_SELECTOR, "a.doc-link").click()

    focus = _wait(browser, "mark#focus")
    assert "/documents/" in browser.current_url and focus.text
    assert browser.find_elements(By.CSS_SELECTOR, ".seg.kept")
    assert browser.find_elements(By.CSS_SELECTOR, "a.ent")
    shots(browser, "3-document")


def test_benefit_harm_switch_legend_and_contradictions(server, browser, ev, shots):
    browser.get(server + "/")
    _wait(browser, "svg.map")
    active = browser.find_element(By.CSS_SELECTOR, "nav.views a.active")
    assert active.get_attribute("data-view") == "benefit"      # the default question
    columns = {t.text for t in browser.find_elements(By.CSS_SELECTOR, "svg.map text.collabel")}
    assert "Migraine Disorders" in columns and "Nausea" not in columns
    legend = browser.find_element(By.ID, "map-legend").text
    assert "work" in legend and "strong" in legend and "contrary evidence" in legend

    browser.find_element(By.CSS_SELECTOR, 'nav.views a[data-view="harm"]').click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, 'nav.views a.active[data-view="harm"]')))
    assert "view=harm" in browser.current_url
    columns = {t.text for t in browser.find_elements(By.CSS_SELECTOR, "svg.map text.collabel")}
    assert "Nausea" in columns                                        # milnacipran's side effect
    assert not any("Monoamine" in c for c in columns)                 # a drug class: listed
    assert "Monoamine Oxidase Inhibitors" in browser.find_element(
        By.CSS_SELECTOR, "ul.elsewhere").text
    shots(browser, "1b-evidence-map-harm")

    browser.find_element(By.CSS_SELECTOR, 'nav.views a[data-view="benefit"]').click()
    bubble = _wait(browser, "svg.map a.cell circle")
    bubble.click()
    _wait(browser, "h1.statement")
    text = browser.find_element(By.CSS_SELECTOR, "p.belief-text").text
    assert text.startswith("Belief ") and "independent work" in text


def test_statement_page_shows_copies_once_and_belief_in_words(server, browser, ev, shots):
    (st,) = ev.list_statements(subject="ketamine", object="migraine", predicate="treats").items
    browser.get(f"{server}/statements/{st['key']}")
    text = _wait(browser, "p.belief-text").text
    assert "weak" in text and "commercial page" in text
    review = browser.find_element(By.CSS_SELECTOR, "ol.works > li.work")   # the strongest
    assert "2 copies, counted once" in review.text
    assert len(review.find_elements(By.CSS_SELECTOR, "ul.copies li")) == 2
    assert len(review.find_elements(By.CSS_SELECTOR, "ol.evidence > li")) == 1
    shots(browser, "2b-statement-works")


def test_document_with_comments_and_dropped_chrome(server, browser, ev, shots):
    (news,) = ev.list_documents(q="Tied to Fibromyalgia").items
    browser.get(f"{server}/documents/{news['id']}")
    comments = browser.find_elements(By.CSS_SELECTOR, ".seg.comment")
    assert len(comments) == 8 and all(c.find_element(By.CSS_SELECTOR, ".author").text
                                      for c in comments)
    assert browser.find_elements(By.CSS_SELECTOR, ".seg.boilerplate .reason")
    shots(browser, "4-document-comments")


def test_concept_page_and_search_with_suggestions(server, browser, shots):
    browser.get(server + "/concepts/D007649")
    _wait(browser, "svg.graph")
    assert "Ketalar" in browser.find_element(By.CSS_SELECTOR, ".synonyms").text
    shots(browser, "5-concept")

    box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
    box.send_keys("milna")
    # the served script (CSP script-src 'self') fills the suggestions from the JSON API
    option = _wait(browser, "#concept-options option")
    assert option.get_attribute("value") == "Milnacipran"
    box.submit()
    _wait(browser, "main h2")
    assert "Milnacipran" in browser.find_element(By.TAG_NAME, "main").text
    shots(browser, "6-search")


def test_uploaded_script_is_shown_and_never_runs(server, browser, hostile_page, shots):
    browser.get(server + "/ingest")
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(hostile_page))
    browser.find_element(By.CSS_SELECTOR, "form.upload button").click()
    row = _wait(browser, "tr.status-added")
    assert "hostile.txt" in row.text
    shots(browser, "7-upload")

    browser.get(server + "/documents?q=pwned")
    browser.find_element(By.CSS_SELECTOR, "table.list a").click()
    _wait(browser, ".page-text")
    text = browser.find_element(By.CSS_SELECTOR, ".page-text").text
    assert "<script>document.title='pwned'</script>" in text
    assert '<img src=x onerror="window.pwned=1">' in text
    # the script would have set the title to 'pwned': the title shows the text instead
    assert browser.title == "Magnesium for migraine <script>document.title='pwned'</script>" \
        " \u00b7 evimap"
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img")
    shots(browser, "8-hostile-page")


def test_discover_page_ranks_targets_and_links_to_evidence(server, browser, shots):
    browser.get(server + "/discover")
    browser.find_element(By.CSS_SELECTOR, "form.discover input[name=source]").send_keys(
        "ketamine")
    browser.find_element(By.CSS_SELECTOR, "form.discover button").click()
    first = _wait(browser, "table.hypotheses tr.hypothesis a.target")
    assert first.text == "Fibromyalgia"
    row = browser.find_element(By.CSS_SELECTOR, "table.hypotheses tr.hypothesis")
    assert "Glutamic Acid" in row.text and "A lowers C" in row.text
    shots(browser, "9-discover-open")
    first.click()

    _wait(browser, "table.links tr.link")
    assert "Ketamine" in browser.find_element(By.CSS_SELECTOR, "h2.hypothesis").text
    (glutamate,) = [r for r in browser.find_elements(By.CSS_SELECTOR, "table.links tr.link")
                    if "Glutamic Acid" in r.text]
    assert glutamate.find_elements(By.CSS_SELECTOR, "ul.claims li.claim blockquote")
    shots(browser, "10-discover-closed")
    glutamate.find_element(By.CSS_SELECTOR, "a.evidence").click()

    doc = _wait(browser, "table.list a.doc-link")
    assert "/discover/documents?" in browser.current_url
    doc.click()
    _wait(browser, ".page-text")
    assert "/documents/" in browser.current_url


def test_curation_buttons_mark_a_claim_wrong_and_take_it_back(server, browser, ev, shots):
    (cell,) = [c for c in ev.evidence_map()["cells"]
               if (c["subject_id"], c["object_id"]) == ("D007649", "D008881")]
    before = ev.statement(cell["key"])
    browser.get(f"{server}/statements/{cell['key']}")
    form = _wait(browser, "ol.evidence li form.curation")
    claim_id = form.find_element(By.XPATH, "..").get_attribute("id").removeprefix("claim-")
    form.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("misread by the extractor")
    form.find_element(By.CSS_SELECTOR, "button.curate.wrong").click()

    marked = _wait(browser, f"li#claim-{claim_id}.curated.wrong")
    assert browser.current_url.endswith(f"/statements/{cell['key']}#claim-{claim_id}")
    assert "marked wrong: misread by the extractor" in marked.text
    after = ev.statement(cell["key"])
    assert claim_id in after["explanation"]["excluded"] and after["belief"] <= before["belief"]
    assert "marked wrong" in browser.find_element(By.CSS_SELECTOR, "p.belief-text").text
    shots(browser, "11-curation")
    marked.find_element(By.CSS_SELECTOR, "button.curate.clear").click()

    WebDriverWait(browser, 10).until(lambda d: not d.find_elements(
        By.CSS_SELECTOR, f"li#claim-{claim_id}.curated"))
    assert ev.claim(claim_id)["curation"] is None
    assert ev.statement(cell["key"])["belief"] == pytest.approx(before["belief"])
