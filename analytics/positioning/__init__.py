"""Module 2 — regional positioning (区域产业发展定位): where a zone's technology, enterprises and talent
stand in the chain against the nation and the world, and what is wrong (DESIGN §6 "Positioning module").

One file per section, each a documented function per table; the queries the module adds live in
``queries/`` beside them. Every table is empty when the analysis has no zone (``Options.zone``).
"""


def remembered(store, key: tuple, compute):
    """``compute()`` once per run on a ``Memo`` store (its ``results``), under ``key``; a copy each time."""
    cache = getattr(store, "results", None)
    if cache is not None and key in cache:
        return cache[key].copy()
    frame = compute()
    if cache is not None:
        cache[key] = frame.copy()
    return frame


def cached(store, fn, scheme: str, options):
    """``fn(store, scheme, options)``, computed once per run on a ``Memo`` store — under the key the
    registry uses, so a table the registry already computed is not computed again."""
    return remembered(store, (fn.__name__, scheme, repr(options.record())), lambda: fn(store, scheme, options))
