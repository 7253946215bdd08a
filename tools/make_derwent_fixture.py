"""Write tests/data/formats/derwent/derwent-cn.xls: real patents laid out as a Derwent Innovation export
(Chinese interface, legacy .xls, a title row above the header) — no real Derwent export is shared.

The records are real: four rows of the shared Patentics export 中科创达-中国申请库.xlsx (numbers, dates,
titles, applicants, addresses, inventors, IPC) and two of 迁移学习_中国20.xlsx with two applicants each. Only the layout is Derwent's, as documented for its Chinese UI: the column
names below, " | " between values, IPC/CPC "现版" zero-padded without a slash, applicants "with address"
as Name,City,Postcode,CC, 最早优先权年 instead of a date.

    python tools/make_derwent_fixture.py    (needs ../shared/data and the test extra: xlwt)
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import xlwt

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "exports" / "patentics" / "中科创达-中国申请库.xlsx"
OUT = ROOT / "tests" / "data" / "formats" / "derwent" / "derwent-cn.xls"
HEADER = ["公开号", "申请号", "申请日期", "公开日期", "标题 (原文)", "IPC - 现版", "CPC - 现版", "专利权人/申请人",
          "专利权人 - 原始 (带有地址)", "专利权人 - 标准化", "发明人", "优先权国家/地区", "最早优先权年",
          "DWPI 同族专利成员计数", "INPADOC 同族专利成员", "施引专利计数"]


def padded(code: str) -> str:
    """'G06F 16/583' → 'G06F0016583': Derwent's 现版 form, subclass + 4-digit main group + subgroup."""
    m = re.fullmatch(r"([A-H]\d\d[A-Z])\s*(\d+)/(\d+)", code.strip())
    return f"{m.group(1)}{int(m.group(2)):04d}{m.group(3)}" if m else code.strip()


def main() -> None:
    sheet = pd.read_excel(SOURCE, header=0, dtype=str, engine="calamine")
    sheet = sheet.loc[:, ~sheet.columns.duplicated()]
    rows = []
    for _, r in sheet.head(4).iterrows():
        codes = [c for c in str(r["国际分类"]).split("|") if c.strip()]
        address = str(r["通信地址"]).strip()
        postcode, _, street = address.partition(" ")
        rows.append([r["公开号"], r["申请号"].replace(".", ""), r["申请日"].replace("/", "-"), r["公开/公告日"].replace("/", "-"),
                     r["标题"], " | ".join(padded(c) for c in codes), "", r["申请人"],
                     f"{r['申请人']},{street},{postcode},CN", r["标准申请人"], " | ".join(str(r["发明人"]).split("|")),
                     "CN", r["申请日"][:4], "1", r["公开号"], str(r.get("被引用数") or "0")])
    # two applicants in one cell, as Derwent joins them (real rows of 迁移学习_中国20.xlsx; no address exported)
    extra = pd.read_excel(SOURCE.with_name("迁移学习_中国20.xlsx"), header=0, dtype=str, engine="calamine")
    extra = extra.loc[:, ~extra.columns.duplicated()]
    for _, r in extra[extra["申请人"].str.contains("|", regex=False, na=False)].head(2).iterrows():
        codes = [c for c in str(r["国际分类"]).split("|") if c.strip()]
        names = [n.strip() for n in str(r["申请人"]).split("|") if n.strip()]
        rows.append([r["公开号"], r["申请号"].replace(".", ""), r["申请日"].replace("/", "-"),
                     r["公开-公告日"].replace("/", "-"), r["标题"], " | ".join(padded(c) for c in codes), "",
                     " | ".join(names), "", "", " | ".join(n.strip() for n in str(r["发明人"]).split("|")),
                     "", "", "1", r["公开号"], "0"])
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Derwent Innovation")
    ws.write(0, 0, f"Derwent Innovation 专利记录导出（{len(rows)} 条）")
    for j, h in enumerate(HEADER):
        ws.write(1, j, h)
    for i, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(OUT))
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
