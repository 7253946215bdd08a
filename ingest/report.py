"""The ingest ledger kept beside a graph: per-file counts, rejects and merged rows across runs.

A graph is often built by several ``patnav ingest`` runs. The ledger (``ingest.json``) keeps the
latest entry per input file name, so re-ingesting a file replaces its entry instead of counting it
twice; ``rejects.csv`` is rewritten the same way. Each run deduplicates over every file's rows
(``ingest.state``), so ``merged.csv`` and every file's loaded/merged counts are rewritten whole.
``patnav analyze`` reads the ledger for the atlas's data section.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ingest.normalize import REJECT_COLUMNS
from ingest.pipeline import Ingested
from ontology.spreadsheet import write_csv

LEDGER = "ingest.json"
REJECTS = "rejects.csv"
MERGED = "merged.csv"
TOTAL_KEYS = ("rows_in", "loaded", "merged", "rejected")
MERGED_COLUMNS = ["file", "row", "id", "into_file", "into_row", "into_id", "reason"]


def _replace_rows(path: Path, new: pd.DataFrame, files: set[str], columns: list[str]) -> None:
    old = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame(columns=columns)
    keep = old[~old["file"].isin(files)] if len(old) else old
    write_csv(pd.concat([keep, new.astype(str)], ignore_index=True)[columns], path)


def record_run(state_dir: str | Path, result: Ingested) -> dict:
    """Merge this run into the ledger in ``state_dir``; return the ledger (files, total, paths)."""
    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    ledger_path = state / LEDGER
    ledger = json.loads(ledger_path.read_text(encoding="utf-8")) if ledger_path.exists() else {"files": []}
    names = {f["name"] for f in result.report["files"]}
    files = [f for f in ledger["files"] if f["name"] not in names] + result.report["files"]
    counts = result.report.get("all_files", {})
    for f in files:  # a later file may take over an earlier file's patent (its grant), or merge into it
        if f["name"] in counts:
            f.update(counts[f["name"]])
            f["balanced"] = f["rows_in"] == f["loaded"] + f["merged"] + f["rejected"]
    rejects_path, merged_path = state / REJECTS, state / MERGED
    _replace_rows(rejects_path, result.rejects, names, REJECT_COLUMNS)
    merged = result.merged if len(result.merged.columns) else pd.DataFrame(columns=MERGED_COLUMNS)
    write_csv(merged[MERGED_COLUMNS], merged_path)  # every merge, all files
    for f in result.report["files"]:
        f["rejects_path"] = str(rejects_path)
    ledger = {"files": files, "total": {k: sum(f[k] for f in files) for k in TOTAL_KEYS},
              "rejects_path": str(rejects_path), "merged_path": str(merged_path),
              "chains": result.report["chains"], "countries": result.report.get("countries")}
    ledger_path.write_text(json.dumps(ledger, ensure_ascii=False, indent=2), encoding="utf-8")
    return ledger


def read_ledger(state_dir: str | Path) -> dict | None:
    path = Path(state_dir) / LEDGER
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
