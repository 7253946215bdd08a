"""How well PatNav's tags reproduce a vendor's own classification of the same patents.

incoPat exports carry 新兴产业分类, its strategic-emerging-industry branches per patent; PatNav tags the
same patents with the official `sei-2021` scheme. Agreement is measured per source file on the
patents the vendor labelled: the share whose set of branch codes is exactly the vendor's.
"""

from __future__ import annotations

import pandas as pd


def label_agreement(records: pd.DataFrame, in_node: pd.DataFrame, scheme: str = "sei-2021") -> dict[str, dict]:
    """Per source file: ``labelled`` patents, ``exact`` (share with the same set of codes), ``missed`` and
    ``extra`` (patents where PatNav lacks a vendor code / adds one). Only direct tags count, not roll-ups.

    >>> rec = pd.DataFrame({"id": ["A", "B", "C", "D"], "source": "f.xlsx",
    ...                     "sei_labels": [["1.1"], ["1.1", "1.4"], None, ["2.1"]]})
    >>> tags = pd.DataFrame({"from": ["A", "B", "B", "D"], "to": ["sei-2021:1.1", "sei-2021:1.1", "sei-2021:1", "sei-2021:2.1"],
    ...                      "rule": ["ipc#1:G06F*", "ipc#2:H04*", "via:1.1", "ipc#1:B23*"]})
    >>> label_agreement(rec, tags)["f.xlsx"]
    {'labelled': 3, 'exact': 0.6667, 'missed': 1, 'extra': 0}
    """
    if "sei_labels" not in records:
        return {}
    labelled = records.loc[records["sei_labels"].map(lambda v: isinstance(v, list) and len(v) > 0),
                           ["id", "source", "sei_labels"]]
    if labelled.empty:
        return {}
    direct = in_node[in_node["to"].astype(str).str.startswith(f"{scheme}:")
                     & ~in_node["rule"].astype(str).str.startswith("via:")]
    predicted = direct.groupby("from")["to"].agg(lambda s: {t.split(":", 1)[1] for t in s})
    got = [predicted.get(i, set()) for i in labelled["id"]]
    want = [set(v) for v in labelled["sei_labels"]]
    frame = pd.DataFrame({"source": labelled["source"].to_numpy(),
                          "exact": [g == w for g, w in zip(got, want)],
                          "missed": [bool(w - g) for g, w in zip(got, want)],
                          "extra": [bool(g - w) for g, w in zip(got, want)]})
    return {src: {"labelled": len(g), "exact": round(float(g["exact"].mean()), 4),
                  "missed": int(g["missed"].sum()), "extra": int(g["extra"].sum())}
            for src, g in frame.groupby("source", sort=False)}
