"""The official SEI–IPC 2021 scheme applied to real incoPat exports, measured against incoPat's own
新兴产业分类 labels for the same patents (exact set of branch codes per labelled patent)."""

from pathlib import Path

import pytest

from ingest.pipeline import ingest_files
from ontology.chains import load_chain

INCOPAT = Path(__file__).resolve().parents[2] / "shared" / "data" / "exports" / "incopat"
FILES = ["ChatBot_2798.xlsx", "OpenAI_72.xlsx", "科大讯飞_3816.xlsx", "通用自动驾驶_10000.xlsx"]


@pytest.mark.corpus
def test_sei_2021_reproduces_incopat_labels_on_the_shared_exports():
    paths = [INCOPAT / f for f in FILES]
    if not all(p.exists() for p in paths):
        pytest.skip("../shared/data is absent: this check needs the shared incoPat exports")
    report = ingest_files(paths, [load_chain("sei-2021")]).report
    got = {f["name"]: f.get("sei_agreement") for f in report["files"]}
    # all IPCs vs 新兴产业分类 (ChatBot, OpenAI); main IPC vs 新兴产业(主) (科大讯飞 exports only the main IPC)
    for name in FILES[:3]:
        assert got[name]["labelled"] > 50 and got[name]["exact"] >= 0.97, (name, got[name])
    assert got["ChatBot_2798.xlsx"]["labelled"] > 2500 and got["科大讯飞_3816.xlsx"]["labelled"] > 2000
    assert got["通用自动驾驶_10000.xlsx"]["note"].startswith("not comparable")  # labels from all IPCs, main IPC only
