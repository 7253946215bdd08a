"""Module 1's historical view (analytics.history): control power per period window, the competitive
landscape beside it, and control against market position — checked against an independent
recomputation from the ingest output on real data, on both engines."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

import expected_direction as ed
import expected_history as eh
from analytics.frames import CHAIN
from analytics.options import Options, read_market
from analytics.registry import INDICATORS
from api.cli import app
from ontology.chains import load_chain
from ontology.errors import IngestError, PatNavError

COMPARED = ["technology_control", "product_control", "market_control", "index", "units", "share", "rank",
            "supported", "previous_rank", "index_change", "top10"]


def _close(got: pd.Series, want: pd.Series, what: str) -> None:
    g = pd.to_numeric(got, errors="coerce").to_numpy(dtype=float)
    w = pd.to_numeric(want, errors="coerce").to_numpy(dtype=float)
    assert np.allclose(g, w, rtol=1e-9, atol=1e-9, equal_nan=True), what


def test_history_tables_equal_an_independent_recomputation_on_both_engines(vr_engines):
    """The VR/AR exports (12,288 rows): every ranked row of control_history (per window, actor type and
    node) and every landscape row equal the direction oracle's control power run on each window's units
    alone and a loop over the window's fractional shares — on LadybugDB and on Neo4j."""
    embedded, neo, ingested = vr_engines
    r = ed.Rows(ingested, load_chain("vr-ar"))
    every, left = eh.control_history(r)
    want = every[every["rank"] <= 50]
    want_land = eh.landscape(r, every)
    labels = dict(enumerate(every.drop_duplicates("w").sort_values("w")["window"]))
    assert len(labels) >= 3 and (want["top10"] == "entered").sum() > 20 and len(left) > 20
    keys = ["window", "actor_type", "node", "actor"]
    for store in (embedded, neo):
        got = INDICATORS["control_history"].run(store, "vr-ar")
        ranked = got[got["rank"] <= 50].sort_values(keys).reset_index(drop=True)  # exits below 50: the set below
        exp = want.sort_values(keys).reset_index(drop=True)
        assert ranked[keys].astype(str).equals(exp[keys].astype(str)), store.engine
        for col in COMPARED:
            if col in ("top10", "supported"):
                assert ranked[col].astype(str).tolist() == exp[col].astype(str).tolist(), (store.engine, col)
            else:
                _close(ranked[col], exp[col], f"{store.engine} control_history.{col}")
        gone = {(t, n, a, w) for t, n, a, w in got.loc[got["top10"] == "left", ["actor_type", "node", "actor", "window"]]
                .itertuples(index=False)}
        assert gone == {(t, n, a, labels[w]) for t, n, a, w in left}, store.engine
        land = INDICATORS["landscape_history"].run(store, "vr-ar").sort_values(["node", "window"]).reset_index(drop=True)
        exp_land = want_land.sort_values(["node", "window"]).reset_index(drop=True)
        assert land[["node", "window"]].astype(str).equals(exp_land[["node", "window"]].astype(str)), store.engine
        for col in exp_land.columns.drop(["node", "window"]):
            _close(land[col], exp_land[col], f"{store.engine} landscape_history.{col}")


def test_the_leaders_trajectories_follow_their_filings(vr_engines):
    """Read as an analyst would: in every window with 10+ supported applicants their control index ranks
    with their filings (units; Spearman positive, p < 0.01 — the index also weighs citations and office
    coverage, so not 1), and the whole period's leader is among the last window's top 3."""
    embedded, _, _ = vr_engines
    got = INDICATORS["control_history"].run(embedded, "vr-ar")
    apps = got[(got["node"] == CHAIN) & (got["actor_type"] == "applicant") & got["supported"]]
    for window, rows in apps.groupby("window"):
        if len(rows) >= 10:
            rho, p = spearmanr(rows["index"], rows["units"])
            assert rho > 0 and p < 0.01, (window, rho, p)
    whole = INDICATORS["control_power"].run(embedded, "vr-ar")
    leader = whole[(whole["node"] == CHAIN) & (whole["actor_type"] == "applicant")].sort_values("rank").iloc[0]
    last = apps[apps["start"] == apps["start"].max()]
    assert leader["actor"] in set(last[last["rank"] <= 3]["actor"])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from api.workflow import demo_files
    from graph.embedded_store import EmbeddedStore
    from ingest.load import load_graph
    from ingest.pipeline import ingest_files
    ingested = ingest_files(demo_files("icv"), [load_chain("icv")])
    path = tmp_path_factory.mktemp("history")
    with EmbeddedStore(path / "db") as store:
        load_graph(store, ingested.frames)
    return path / "db"


def _market(db, tmp_path) -> tuple:
    """A market file for the demo graph: the last two windows' leading applicants (by the display name,
    one of them in capitals), a group by its name, and a name no export uses; revenue deliberately
    not in control order."""
    from graph.embedded_store import EmbeddedStore
    with EmbeddedStore(db, read_only=True) as store:
        hist = INDICATORS["control_history"].run(store, "icv")
        groups = store.run("MATCH (a:Applicant)-[:PART_OF_GROUP]->(g:Applicant) RETURN a.id AS a, g.id AS g, "
                           "g.name AS name ORDER BY g.id, a.id")
        known = store.run("MATCH (p:Patent)-[:APPLIED_BY]->(a:Applicant) WHERE EXISTS { MATCH (p)-[:IN_NODE]->"
                          "(n:ChainNode) WHERE n.scheme = 'icv' } RETURN DISTINCT a.id AS a")  # the chain's applicants
    apps = hist[(hist["node"] == CHAIN) & (hist["actor_type"] == "applicant") & hist["rank"].notna()]
    windows = apps.drop_duplicates("window").sort_values("start")
    last, before = windows.iloc[-1], windows.iloc[-2]
    top = apps[(apps["window"] == last["window"]) & (apps["rank"] <= 14)].sort_values("rank")
    members = set(groups["a"]) | set(groups["g"])  # apart from any group (a group key stands for its members)
    top = top[~top["actor"].isin(members)]  # by their own key, apart from the group
    top = top[~top["name"].str.upper().duplicated()]
    named = set(top["name"].str.upper())
    group = groups.groupby("g").filter(lambda g: len(g) >= 2 and g["name"].iloc[0].upper() not in named).iloc[0]
    rows = []
    for i, (name, actor) in enumerate(zip(top["name"], top["actor"])):
        shown = name.upper() if i == 0 else name
        for year in (before["start"], before["end"], last["start"], last["end"]):
            rows.append({"enterprise": shown, "year": year, "revenue": f"{(i * 37) % 11 + year % 3 + 1:,}"})
    for year in (last["start"], last["end"]):
        rows.append({"enterprise": group["name"], "year": year, "revenue": "5"})
        rows.append({"enterprise": "No Such Motors Inc", "year": year, "revenue": "9"})
    path = tmp_path / "market.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, top, groups[groups["g"] == group["g"]], last, before, set(apps["actor"]) | set(known["a"])


def test_control_vs_market_is_spearman_on_the_matched_enterprises(demo_db, tmp_path):
    """`patnav analyze --market`: enterprises matched by name key (whatever the case) or as a group,
    the unmatched listed; ρ and p equal scipy's on the enterprises' summed index and mean revenue, same
    window and one window later; the summary quotes them and says when they are not significant."""
    from analytics import history
    from graph.embedded_store import EmbeddedStore
    path, top, group, last, before, known = _market(demo_db, tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", "--db", str(demo_db), "--out", str(out), "--market", str(path),
                                      "--no-report"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["parameters"]["market"] == str(path)
    read = lambda n: pd.read_csv(out / "tables" / f"{n}.csv", encoding="utf-8-sig", keep_default_na=False)  # noqa: E731
    matching = read("market_matching").set_index("enterprise")
    # who stands for whom, from the fixture itself: each leader its own key, the group its members
    # (and its own key where the group files too)
    owners = {name.upper() if i == 0 else name: {actor} for i, (name, actor) in enumerate(zip(top["name"], top["actor"]))}
    owners[group["name"].iloc[0]] = set(group["a"]) | ({group["g"].iloc[0]} if group["g"].iloc[0] in known else set())
    assert matching.loc["No Such Motors Inc", "how"] == ""
    assert matching.loc[top["name"].iloc[0].upper(), "how"] == "applicant"
    assert set(matching.loc[group["name"].iloc[0], "applicants"].split(" | ")) == owners[group["name"].iloc[0]]
    market = read_market(path)
    corr = read("control_market")
    for lag, window, market_window in ((0, last["window"], last["window"]), (1, before["window"], last["window"])):
        a, b = (int(x) for x in market_window.split("–"))
        revenue = market[market["year"].between(a, b)].groupby("enterprise")["revenue"].mean()
        with EmbeddedStore(demo_db, read_only=True) as store:  # every actor's index, not only the kept rows
            index = history._inputs(store, "icv", Options())[4]
        index = index[(index["node"] == CHAIN) & (index["actor_type"] == "applicant") & (index["window"] == window)]
        index = index.set_index("actor")["index"]
        ents = [e for e in revenue.index if e in owners]
        x = [sum(index.get(k, 0.0) for k in owners[e]) for e in ents]
        rho, p = exact_spearman(np.array(x), revenue[ents].to_numpy())
        row = corr[(corr["node"] == CHAIN) & (corr["window"] == window) & (corr["lag"] == lag)].iloc[0]
        assert int(row["enterprises"]) == len(ents) >= 5
        assert np.isclose(float(row["rho"]), rho, atol=1e-9) and np.isclose(float(row["p_value"]), p, atol=1e-9)
        assert (row["note"] == "") == (p < 0.05)
    summary = read("direction_summary")
    text = " ".join(summary.loc[summary["topic"] == "control_history", "text_en"])
    shown = corr[(corr["node"] == CHAIN) & (corr["window"] == last["window"]) & (corr["lag"] == 0)].iloc[0]
    assert f"ρ = {float(shown['rho']):.2f}, p = {float(shown['p_value']):.3f}, {int(shown['enterprises'])} enterprises" in text
    assert "No enterprise market data" not in text


def test_without_market_data_the_summary_says_so_and_quotes_the_history(demo_db):
    from graph.embedded_store import EmbeddedStore
    with EmbeddedStore(demo_db, read_only=True) as store:
        summary = INDICATORS["direction_summary"].run(store, "icv")
        land = INDICATORS["landscape_history"].run(store, "icv")
        hist = INDICATORS["control_history"].run(store, "icv")
        assert INDICATORS["control_market"].run(store, "icv").empty
    text = summary[summary["topic"] == "control_history"]
    assert text["evidence"].str.contains("control_history.csv|landscape_history.csv|control_market.csv").all()
    joined = " ".join(text["text_en"])
    assert "No enterprise market data was given" in joined
    whole = land[land["node"] == CHAIN].sort_values("start")
    a, b = whole.iloc[-2], whole.iloc[-1]
    assert f"share of the control index {a['control_top4']:.1%} → {b['control_top4']:.1%}" in joined
    assert f"HHI {a['hhi']:,.0f} → {b['hhi']:,.0f}" in joined
    gained = hist[(hist["node"] == CHAIN) & (hist["actor_type"] == "applicant") & (hist["start"] == hist["start"].max())]
    best = gained.sort_values(["index_change", "actor"], ascending=[False, True]).iloc[0]
    assert f"{best['name']} (index {best['index'] - best['index_change']:.3f} → {best['index']:.3f}" in joined


@pytest.mark.parametrize("text, row, column, what", [
    ("enterprise,year,revenue\nA,2019,10\nB,twenty,5\n", 3, "year", "not a year"),
    ("enterprise,year,revenue\nA,2019,10\nB,2019,lots\n", 3, "revenue", "not a number"),
    ("企业,年份,市场份额\nA,2019,10%\nB,2019,0.2\n", 3, "市场份额", "one convention"),
    ("enterprise,year,revenue\nA,2019,10\nA,2019,12\n", 3, "enterprise", "appears twice"),
    ("enterprise,year\nA,2019\n", 1, None, "market_share and/or revenue"),
])
def test_bad_market_data_names_file_row_and_column(tmp_path, text, row, column, what):
    path = tmp_path / "market.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_market(path)
    assert err.value.row == row and err.value.column == column and what in str(err.value)
    assert "market.csv" in str(err.value)


def test_market_shares_in_percent_and_an_unknown_node(demo_db, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("企业,年份,市场份额,节点\nA,2019,\"12.5%\",\nB,2019,30%,Z9\n", encoding="utf-8")
    market = read_market(path)
    assert market["market_share"].tolist() == [0.125, 0.30] and market["node"].tolist() == ["", "Z9"]
    from graph.embedded_store import EmbeddedStore
    with EmbeddedStore(demo_db, read_only=True) as store, pytest.raises(PatNavError, match="Z9"):
        INDICATORS["control_market"].run(store, "icv", Options(market=market))


def test_the_api_serves_the_history_chart_offline(demo_db):
    from fastapi.testclient import TestClient
    from api.app import create_app
    from api.settings import Settings
    from graph.embedded_store import EmbeddedStore
    with EmbeddedStore(demo_db, read_only=True) as store:
        hist = INDICATORS["control_history"].run(store, "icv")
    apps = hist[(hist["node"] == CHAIN) & (hist["actor_type"] == "applicant")]
    last = apps[apps["start"] == apps["start"].max()].sort_values("rank").head(4)
    with TestClient(create_app(Settings.from_env({"PATNAV_HOME": str(demo_db.parent / "home")}), db=demo_db)) as client:
        fig = client.get("/api/chain/icv/control-history", params={"top": 4}).json()
        assert [t["name"] for t in fig["data"]] == last["name"].tolist()
        windows = apps.drop_duplicates("window").sort_values("start")["window"].tolist()
        assert fig["data"][0]["x"] == windows
        page = client.get("/api/chain/icv/control-history", params={"format": "html"})
        assert page.status_code == 200 and "plotly" in page.text
        assert not re.search(r"<script[^>]*\bsrc=", page.text)  # plotly.js inlined: works offline
        assert client.get("/api/chain/nope/control-history").status_code == 404


def exact_spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """ρ and its two-sided p: below 10 pairs by enumerating every pairing (itertools), else scipy's."""
    import itertools
    rho = spearmanr(x, y)[0]
    if len(x) >= 10:
        return rho, spearmanr(x, y)[1]
    hits = total = 0
    for perm in itertools.permutations(range(len(y))):
        total += 1
        hits += abs(spearmanr(x, y[list(perm)])[0]) >= abs(rho) - 1e-12
    return rho, hits / total


def test_the_p_value_of_few_pairs_is_exact():
    """n = 5, ρ = 0.9: the t approximation says 0.037 (significant), every pairing says 0.083 (not)."""
    from analytics.history import spearman
    x, y = np.array([1.0, 2, 3, 4, 5]), np.array([1.0, 3, 2, 4, 5])
    rho, p = spearman(x, y)
    assert np.isclose(rho, 0.9) and spearmanr(x, y)[1] < 0.05
    assert np.isclose(p, exact_spearman(x, y)[1]) and p > 0.05
    x, y = np.arange(12.0), np.array([2.0, 1, 4, 3, 6, 5, 8, 7, 12, 9, 11, 10])
    assert np.allclose(spearman(x, y), spearmanr(x, y))


def test_a_group_named_by_its_parent_stands_for_the_parent_and_its_members():
    from analytics.history import market_matches
    groups = pd.DataFrame({"applicant": ["acme sub", "acme east"], "group_id": ["acme", "acme"]})
    found = market_matches(pd.Series(["ACME Inc.", "Other Co", "Nobody Ltd", "ACME Inc."]),
                           ["acme", "acme sub", "acme east", "other"], groups).set_index("enterprise")
    assert len(found) == 3
    assert found.loc["ACME Inc.", "how"] == "group"
    assert set(found.loc["ACME Inc.", "applicants"]) == {"acme", "acme sub", "acme east"}
    assert found.loc["Other Co", "how"] == "applicant" and found.loc["Other Co", "applicants"] == ("other",)
    assert found.loc["Nobody Ltd", "how"] == "" and found.loc["Nobody Ltd", "applicants"] == ()


def test_an_empty_or_infinite_market_file_is_a_clear_error(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(IngestError, match="cannot read the market data"):
        read_market(empty)
    huge = tmp_path / "huge.csv"
    huge.write_text("enterprise,year,revenue\nA,2019,1e400\n", encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_market(huge)
    assert err.value.row == 2 and err.value.column == "revenue"
