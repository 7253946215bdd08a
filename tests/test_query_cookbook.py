"""The analysts' Cypher cookbook: every recipe passes the read guard, runs on both engines with the same
answer, and is offered in Neo4j Browser (served by `patnav neo4j start --browser`)."""

import shutil

import pytest

import expected_direction
from graph import neo4j_server
from graph.cookbook import guide_html, recipes
from graph.guard import analyst_query

RECIPES = recipes()


def test_the_cookbook_covers_what_analysts_ask():
    names = {r.name for r in RECIPES}
    assert len(RECIPES) >= 6 and all(r.title_zh and r.title_en and r.about for r in RECIPES)
    for wanted in ("top-applicants-of-a-node", "chinese-applicants-by-province", "university-enterprise",
                   "inventors-of-a-company", "patents-citing-a-patent", "zone-gap-nodes"):
        assert any(wanted in n for n in names), wanted
    guide = guide_html()
    assert guide.count("<slide") == len(RECIPES) + 1 and "http" not in guide.replace("patnav query", "")


@pytest.fixture(scope="module")
def values(_vr_graph, city):
    """Parameter values that exist in the VR/AR graph: its scheme, its largest node, its leading applicant
    and a city drawn at random (the recipes' example values are the demo's)."""
    from analytics.zone import load_zone
    embedded = _vr_graph[0]
    node = embedded.run("MATCH (n:ChainNode)<-[:IN_NODE]-(p:Patent) WHERE n.level > 1 RETURN n.id AS id, n.scheme AS s, "
                        "count(p) AS k ORDER BY k DESC, id LIMIT 1").iloc[0]
    applicant = embedded.run("MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) RETURN a.id AS id, count(p) AS k "
                             "ORDER BY k DESC, id LIMIT 1")["id"].iloc[0]
    patent = embedded.run("MATCH (p:Patent) RETURN p.id AS id ORDER BY id LIMIT 1")["id"].iloc[0]
    return {"node": node["id"], "scheme": node["s"], "applicant": applicant, "zone": load_zone(city).name_zh,
            "patent": patent}


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.name for r in RECIPES])
def test_every_recipe_answers_the_same_on_both_engines(recipe, vr_engines, values):
    embedded, neo, _ = vr_engines
    params = {k: values[k] for k in recipe.params}
    a = embedded.run(analyst_query(recipe.query, "ladybug"), params)
    b = neo.run(analyst_query(recipe.query, "neo4j"), params)
    assert list(a.columns) == list(b.columns)
    if "gap" in recipe.name:  # a big city may file in every node: no gap is an answer, checked as a set difference
        scheme = {"scheme": params["scheme"]}
        filed = embedded.run("MATCH (n:ChainNode)<-[:IN_NODE]-(:Patent) WHERE n.scheme = $scheme "
                             "RETURN DISTINCT n.id AS id", scheme)["id"]
        zone = embedded.run("MATCH (n:ChainNode)<-[:IN_NODE]-(:Patent)-[:APPLIED_BY]->(a:Applicant) "
                            "WHERE n.scheme = $scheme AND (a.city = $zone OR a.province = $zone) "
                            "RETURN DISTINCT n.id AS id", {**scheme, "zone": params["zone"]})["id"]
        assert sorted(set(filed) - set(zone)) == sorted(a["node"]), params
    elif "citing" not in recipe.name:  # these exports list no citations (tests/test_citations.py has them)
        assert len(a) > 0, (recipe.name, params)
    expected_direction.same(a.astype(object), b.astype(object), list(a.columns), recipe.name)


def test_chinese_applicants_by_province_equal_a_count_from_the_frames(vr_engines):
    embedded, _, ingested = vr_engines
    recipe = next(r for r in RECIPES if "province" in r.name)
    got = embedded.run(recipe.query).set_index("province")
    applicants = ingested.frames["Applicant"]
    cn = applicants[applicants["country"] == "CN"].assign(province=lambda f: f["province"].fillna("(unknown)"))
    links = ingested.frames["APPLIED_BY"].merge(cn, left_on="to", right_on="id")
    want = links.groupby("province").agg(applicants=("to", "nunique"), patents=("from", "nunique"))
    assert len(want) > 10
    assert got[["applicants", "patents"]].astype(int).to_dict("index") == want.astype(int).to_dict("index")


@pytest.mark.neo4j
def test_neo4j_browser_offers_the_cookbook_and_runs_a_recipe(settings, vr_engines):
    """`patnav neo4j start --browser`: the Browser page loads from 127.0.0.1 with no request elsewhere before
    login, the cookbook guide opens after login, and a recipe run from it shows the rows the driver gets."""
    info = neo4j_server.status(settings.neo4j_home)
    if info is None or not info.browser:
        pytest.skip("this Neo4j was not started by `patnav neo4j start --browser` (make test starts it so)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is missing: `make system` (tools/system-packages.sh) installs it"
    recipe = next(r for r in RECIPES if "province" in r.name)
    want = vr_engines[1].run(recipe.query)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        hosts = set()
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto(info.browser)
        page.fill("[data-testid=username]", info.user)
        page.fill("[data-testid=password]", info.password)
        assert hosts <= {info.browser.split("/")[2], info.uri.split("/")[2]}, hosts  # nothing from the internet
        page.click("[data-testid=connect]")
        page.wait_for_selector("text=Cypher cookbook", timeout=30000)
        slide = RECIPES.index(recipe) + 1
        for _ in range(slide):
            page.click("[data-testid=nextSlide]")
        page.wait_for_selector(f"text={recipe.title_en}")
        [block] = [e for e in page.query_selector_all("[data-testid=carousel] pre") if e.is_visible()]
        block.click()
        page.click("[data-testid=editor-Run]")
        page.wait_for_selector(f"text={want['province'].iloc[0]}", timeout=30000)
        text = page.inner_text("[data-testid=stream]")
        browser.close()
    first = want.iloc[0]
    assert f'"{first["province"]}"\t{first["applicants"]}\t{first["patents"]}' in text
    assert f"Started streaming {len(want)} records" in text
