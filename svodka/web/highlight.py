"""The article body as HTML with entity mentions and event evidence marked.

The body is cut at every mention and evidence boundary; each piece of text
between two offsets is escaped on its own and only then wrapped in markup
built here. Article text never reaches the page unescaped, whatever it
contains (``<script>``, ``" onmouseover=``, stray ``&``).

Nesting is fixed: evidence runs outside, mentions inside, so overlapping
offsets still give well-formed HTML (a mention crossing an evidence boundary
is split in two links rather than breaking the tree).
"""
from __future__ import annotations

from itertools import groupby
from typing import Optional
from urllib.parse import quote

from markupsafe import Markup, escape

from ..model import Analysis

TYPE_CLASSES = {"PER": "per", "LOC": "loc", "ORG": "org", "LOCORG": "locorg"}


def entity_url(key: str) -> str:
    return "/entities/" + quote(key, safe=":")


def pair_url(a: str, b: str) -> str:
    return f"/pairs/{quote(a, safe='')}/{quote(b, safe='')}"


def highlight_body(analysis: Analysis) -> Markup:
    doc = analysis.document
    body_start, body_stop = doc.body_span
    text = doc.text
    entities = {e.id: e for e in analysis.entities}

    def clip(start: int, stop: int) -> Optional[tuple[int, int]]:
        start, stop = max(start, body_start), min(stop, body_stop)
        return (start, stop) if start < stop else None

    mentions = []
    for index, m in enumerate(analysis.mentions):
        span = clip(m.start, m.stop)
        if span:
            mentions.append((span[0], span[1], index))
    evidence = []
    for index, e in enumerate(analysis.events):
        span = clip(e.start, e.stop)
        if span:
            evidence.append((span[0], span[1], index))

    cuts = {body_start, body_stop}
    for start, stop, _ in mentions + evidence:
        cuts.update((start, stop))
    cuts = sorted(cuts)

    # (start, stop, events covering it, the innermost mention covering it)
    pieces = []
    for start, stop in zip(cuts, cuts[1:]):
        events = tuple(i for s, t, i in evidence if s <= start and stop <= t)
        covering = [(t - s, i) for s, t, i in mentions if s <= start and stop <= t]
        mention = min(covering)[1] if covering else None
        pieces.append((start, stop, events, mention))

    out: list[str] = []
    anchored: set[int] = set()
    for events, run in groupby(pieces, key=lambda p: p[2]):
        inner = "".join(_mention_run(text, list(group), analysis, entities)
                        for _, group in groupby(run, key=lambda p: p[3]))
        if not events:
            out.append(inner)
            continue
        first_time = [i for i in events if i not in anchored]
        anchored.update(events)
        categories = ", ".join(analysis.events[i].category for i in events)
        quad = analysis.events[events[0]].quad_code
        element_id = f' id="evidence-{first_time[0]}"' if first_time else ""
        out.append(f'<mark class="evidence quad-{int(quad or 0)}"{element_id} '
                   f'data-events="{" ".join(str(i) for i in events)}" '
                   f'title="{escape(categories)}">{inner}</mark>')
        if first_time:
            refs = "".join(f'<a href="#event-{i}" title="{escape(analysis.events[i].category)}">'
                           f'{i + 1}</a>' for i in first_time)
            out.append(f'<sup class="evref">{refs}</sup>')
    return Markup("".join(out))


def _mention_run(text: str, group: list, analysis: Analysis, entities: dict) -> str:
    start, stop, mention_index = group[0][0], group[-1][1], group[0][3]
    segment = str(escape(text[start:stop]))
    if mention_index is None:
        return segment
    mention = analysis.mentions[mention_index]
    css = TYPE_CLASSES.get(mention.type, "other")
    entity = entities.get(mention.entity)
    if entity is None:
        return f'<span class="mention m-{css}" title="{escape(mention.type)}">{segment}</span>'
    label = f"{entity.name} · {entity.kind}" + (f" · {entity.country}" if entity.country else "")
    return (f'<a class="mention m-{css}" href="{escape(entity_url(entity.key))}" '
            f'data-entity="{escape(entity.key)}" title="{escape(label)}">{segment}</a>')
