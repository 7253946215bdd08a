"""The analysts' Cypher cookbook (``graph/cookbook/*.cypher``): commented read queries that run unchanged on
LadybugDB (``patnav query --db``) and Neo4j (``patnav query --neo4j``, Neo4j Browser).

A recipe's header is ``//`` lines: the first is ``中文标题 — English title``, then what it answers, then one
``// :param name => value`` line per parameter with an example value (the Browser's own syntax, so the line
can be pasted there). ``guide_html`` renders the recipes as a Neo4j Browser guide (``:play``), each recipe
a slide with its ``:param`` lines and its query as runnable blocks.
"""

from __future__ import annotations

import ast
import html
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).with_name("cookbook")


@dataclass(frozen=True)
class Recipe:
    name: str
    title_zh: str
    title_en: str
    about: str
    params: dict
    query: str  # the text after the header

    @property
    def param_lines(self) -> list[str]:
        return [f":param {k} => {v!r}" for k, v in self.params.items()]


def recipes(folder: Path = FOLDER) -> list[Recipe]:
    """Every recipe of ``folder`` in file-name order."""
    out = []
    for path in sorted(folder.glob("*.cypher")):
        lines = path.read_text(encoding="utf-8").splitlines()
        head = []
        while lines and lines[0].startswith("//"):
            head.append(lines.pop(0)[2:].strip())
        title_zh, _, title_en = head[0].partition(" — ")
        params, about = {}, []
        for line in head[1:]:
            if line.startswith(":param "):
                name, _, value = line.removeprefix(":param ").partition("=>")
                params[name.strip()] = ast.literal_eval(value.strip())
            else:
                about.append(line)
        out.append(Recipe(path.stem, title_zh.strip(), title_en.strip(), " ".join(about), params,
                          "\n".join(lines).strip()))
    return out


def guide_html(items: list[Recipe] | None = None) -> str:
    """The cookbook as a Neo4j Browser guide: a title slide listing the recipes, then one slide each."""
    items = recipes() if items is None else items
    esc = html.escape
    listing = "".join(f"<li>{esc(r.title_zh)} — {esc(r.title_en)}</li>" for r in items)
    slides = [f"""<slide class="row-fluid"><div class="col-sm-12">
<h3>PatNav Cypher 手册 — Cypher cookbook</h3>
<p>Read queries over the patent graph; the same text runs on PatNav's embedded engine
(<code>patnav query --db DIR</code>). Click a block to put it in the editor; run the <code>:param</code>
block first and change its values to your node, applicant or zone.</p><ol>{listing}</ol></div></slide>"""]
    for r in items:
        params = (f'<pre class="pre-scrollable code runnable">{esc(chr(10).join(r.param_lines))}</pre>'
                  if r.params else "")
        slides.append(f"""<slide class="row-fluid"><div class="col-sm-12">
<h3>{esc(r.title_zh)} — {esc(r.title_en)}</h3><p>{esc(r.about)}</p>{params}
<pre class="pre-scrollable code runnable">{esc(r.query)}</pre>
<p><small>graph/cookbook/{esc(r.name)}.cypher</small></p></div></slide>""")
    return ('<article class="guide"><carousel class="deck container-fluid">' + "\n".join(slides)
            + "</carousel></article>\n")
