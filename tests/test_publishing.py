"""What a host needs from the built site: sitemaps, 404, Open Graph, print styles, configs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from talimat.language import LANGUAGES
from talimat_sphinx import site_config

ROOT = Path(__file__).resolve().parent.parent
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_sitemap_index_points_at_both_languages(site: Path) -> None:
    index = ET.parse(site / "sitemap.xml").getroot()
    locations = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert locations == [f"{site_config.SITE_URL}{lang}/sitemap.xml" for lang in LANGUAGES]
    assert f"Sitemap: {site_config.SITE_URL}sitemap.xml" in (site / "robots.txt").read_text()


def test_each_sitemap_lists_every_page_with_its_translation(site: Path) -> None:
    for language in LANGUAGES:
        urls = ET.parse(site / language / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
        pages = {u.find(f"{SITEMAP}loc").text for u in urls}
        assert f"{site_config.SITE_URL}{language}/docs/glossary.html" in pages
        assert f"{site_config.SITE_URL}{language}/notebooks/03-sample-counts.html" in pages
        for url in urls:
            alternates = {a.get("hreflang") for a in url.findall(f"{XHTML}link")}
            assert alternates == set(LANGUAGES)


def test_bilingual_404_links_both_home_pages(site: Path) -> None:
    page = soup(site / "404.html")
    links = {a["href"] for a in page.find_all("a")}
    root = site_config.SITE_URL.split("://", 1)[1].split("/", 1)[1]
    assert f"/{root}en/index.html" in links
    assert f"/{root}tr/index.html" in links
    assert {section["lang"] for section in page.find_all("section")} == set(LANGUAGES)


def test_pages_carry_open_graph_and_canonical_urls(site: Path) -> None:
    for language in LANGUAGES:
        page = soup(site / language / "docs" / "03-sample-counts.html")
        expected = f"{site_config.SITE_URL}{language}/docs/03-sample-counts.html"
        assert page.find("meta", property="og:url")["content"] == expected
        assert page.find("link", rel="canonical")["href"] == expected
        assert page.find("meta", property="og:title")["content"]
        assert page.find("meta", property="og:description")["content"]


def test_pages_have_a_print_stylesheet(site: Path) -> None:
    page = soup(site / "en" / "docs" / "03-sample-counts.html")
    sheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    href = next(href for href in sheets if "/print." in href).split("?")[0]  # print.<hash>.css
    assert "@media print" in (site / "en" / "docs" / href).resolve().read_text()


def test_github_pages_and_binder_files(site: Path) -> None:
    assert (site / ".nojekyll").is_file()
    requirements = (site / "binder" / "requirements.txt").read_text().strip()
    assert requirements == site_config.INSTALL


def test_read_the_docs_builds_the_language_of_each_project() -> None:
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text())
    commands = "\n".join(config["build"]["commands"])
    assert config["version"] == 2
    assert '--lang "${READTHEDOCS_LANGUAGE}"' in commands
    assert "${READTHEDOCS_OUTPUT}/html" in commands


def test_pages_workflow_publishes_the_assembled_site() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["publish"]["steps"]
    assert any("nox -s docs" in step.get("run", "") for step in steps)
    publish = next(step for step in steps if "actions-gh-pages" in step.get("uses", ""))
    assert publish["with"]["publish_dir"] == "_build/html"
    assert publish["with"]["publish_branch"] == site_config.PAGES_BRANCH


def test_pages_deploy_only_after_the_checks_pass() -> None:
    pages = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    assert pages["jobs"]["publish"]["needs"] == "check"
    assert pages["jobs"]["check"]["uses"] == "./.github/workflows/ci.yml"


def test_pull_requests_run_what_ci_runs() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    triggers = ci[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers
    assert "workflow_call" in triggers
    steps = ci["jobs"]["check"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
