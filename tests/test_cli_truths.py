"""Small truths of the command line: `sites URL` names the profile `fetch` reads with, and
why; an unknown `--site` is an error; the exit statuses are the README's; a LICENSE file."""

from __future__ import annotations

import json
import tomllib

from conftest import SEED_HTML, SEED_KEY, TESTS, assert_one_line_error, run_newscrawl

MIRROR_URL = f"http://mirror.example.org/web/view.php?key={SEED_KEY}"


def test_sites_says_why_a_url_gets_its_profile():
    result = run_newscrawl("sites", f"http://www.joongdo.co.kr/web/view.php?key={SEED_KEY}")
    assert result.stdout.splitlines() == ["joongdo", "  host www.joongdo.co.kr is one of joongdo's (joongdo.co.kr)"]


def test_sites_with_the_saved_page_names_the_profile_extraction_uses(tmp_path):
    by_url = run_newscrawl("sites", MIRROR_URL)
    assert by_url.stdout.splitlines()[0] == "generic"
    assert "give the saved page with --html" in by_url.stdout
    by_page = run_newscrawl("sites", MIRROR_URL, "--html", str(SEED_HTML))
    assert by_page.returncode == 0, by_page.stderr
    name, why = by_page.stdout.splitlines()
    assert why.strip().startswith("the page's canonical link http://www.joongdo.co.kr/") and "belongs to joongdo" in why
    extracted = run_newscrawl("extract", str(SEED_HTML), "--url", MIRROR_URL)
    assert json.loads(extracted.stdout)["profile"] == name == "joongdo"


def test_sites_html_needs_the_url():
    result = run_newscrawl("sites", "--html", str(SEED_HTML))
    assert result.returncode == 2 and "--html needs the URL" in result.stderr


def test_an_unknown_site_is_an_error_not_an_empty_result(seed_archive, tmp_path):
    result = run_newscrawl("export", "--db", str(seed_archive), "--format", "jsonl", "--site", "nosuch")
    assert_one_line_error(result, f"{seed_archive} holds no site 'nosuch' (it holds: joongdo)")
    assert_one_line_error(run_newscrawl("reparse", "--db", str(seed_archive), "--site", "nosuch"), "holds no site")
    assert_one_line_error(run_newscrawl("search", "세종", "--db", str(seed_archive), "--site", "nosuch"),
                          "holds no site 'nosuch'")
    assert_one_line_error(run_newscrawl("health", "--db", str(seed_archive), "--site", "nosuch"),
                          "no finished crawl of nosuch")
    control = run_newscrawl("export", "--db", str(seed_archive), "--format", "jsonl", "--site", "joongdo")
    assert control.returncode == 0 and len(control.stdout.splitlines()) == 1
    found = run_newscrawl("search", "세종", "--db", str(seed_archive), "--site", "joongdo", "--json")
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 1


def test_exit_statuses_are_the_readmes(seed_archive):
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    assert "| `2` | the command line itself is wrong" in readme
    assert run_newscrawl("search", "세종", "--db", str(seed_archive), "--no-such-option").returncode == 2
    assert run_newscrawl("export", "--db", str(seed_archive), "--format", "xlsx").returncode == 2
    assert_one_line_error(run_newscrawl("crawl", "joongdo", "--since", "yesterday-ish"), "yesterday-ish")
    assert run_newscrawl("search", "세종", "--db", str(seed_archive)).returncode == 0


def test_the_license_file_is_the_apache_license_pyproject_names():
    pyproject = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "Apache-2.0"
    text = (TESTS.parent / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
