"""Plotly figures as plain dicts (data + layout), drawn in the browser by the
offline plotly bundle. Built here rather than in JavaScript so that the
pages carry only JSON, never script built from data."""
from __future__ import annotations

import math
from typing import Optional

from .highlight import entity_url, pair_url
from .queries import QUADS

QUAD_COLOURS = {1: "#2a9d8f", 2: "#1d6fa5", 3: "#e09f3e", 4: "#c4423a"}

BASE_LAYOUT = {
    "margin": {"l": 90, "r": 10, "t": 10, "b": 40},
    "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "legend": {"orientation": "h", "y": -0.2},
    "hovermode": "closest",
}


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def event_timeline(events: list[dict]) -> Optional[dict]:
    """One point per dated event: x its date (the document's date when the
    text gives none), y its category, colour its quad. Clicking a point opens
    the evidence in its article."""
    traces = []
    for quad, label in QUADS.items():
        points = [e for e in events if e["quad"] == quad and (e["date"] or e["published"])]
        if not points:
            continue
        traces.append({
            "type": "scatter", "mode": "markers", "name": label,
            "x": [e["date"] or e["published"] for e in points],
            "y": [e["category"] for e in points],
            "text": [_short(e["text"]) for e in points],
            "customdata": [f"/documents/{e['doc_id']}#event-{e['idx']}" for e in points],
            "hovertemplate": "%{x}<br>%{y}<br>%{text}<extra></extra>",
            "marker": {"size": 11, "color": QUAD_COLOURS[quad], "opacity": 0.8},
        })
    if not traces:
        return None
    layout = dict(BASE_LAYOUT, height=300, xaxis={"type": "date"},
                  yaxis={"type": "category", "automargin": True})
    return {"data": traces, "layout": layout}


def timeline_points(points: list[dict]) -> Optional[dict]:
    """The compact form of event_timeline for many events: category and
    date only (hover), each point linking to its evidence."""
    traces = []
    for quad, label in QUADS.items():
        dated = [p for p in points if p["quad"] == quad and p["when"]]
        if not dated:
            continue
        traces.append({
            "type": "scattergl" if len(points) > 2000 else "scatter", "mode": "markers",
            "name": label, "x": [p["when"] for p in dated], "y": [p["category"] for p in dated],
            "customdata": [f"/documents/{p['doc_id']}#event-{p['idx']}" for p in dated],
            "hovertemplate": "%{x}<br>%{y}<extra></extra>",
            "marker": {"size": 10, "color": QUAD_COLOURS[quad], "opacity": 0.75},
        })
    if not traces:
        return None
    layout = dict(BASE_LAYOUT, height=300, xaxis={"type": "date"},
                  yaxis={"type": "category", "automargin": True})
    return {"data": traces, "layout": layout}


def country_months(timeline: list[dict]) -> Optional[dict]:
    """Stacked bars: a country's events per month by quad."""
    dated = [t for t in timeline if t["month"]]
    if not dated:
        return None
    traces = []
    for quad, label in QUADS.items():
        rows = [t for t in dated if t["quad"] == quad]
        if rows:
            traces.append({"type": "bar", "name": label, "x": [t["month"] for t in rows],
                           "y": [t["events"] for t in rows],
                           "marker": {"color": QUAD_COLOURS[quad]}})
    layout = dict(BASE_LAYOUT, height=280, barmode="stack", xaxis={"type": "date"},
                  legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                  margin={"l": 40, "r": 10, "t": 30, "b": 30})
    return {"data": traces, "layout": layout}


def partners_bars(partners: list[dict], limit: int = 15) -> Optional[dict]:
    """Horizontal stacked bars: partners ranked by shared events, by quad."""
    rows = partners[:limit][::-1]
    if not rows:
        return None
    traces = [{"type": "bar", "orientation": "h", "name": label,
               "y": [p["name"] for p in rows], "x": [p["quads"][str(quad)] for p in rows],
               "customdata": [entity_url("country:" + p["country"]) for p in rows],
               "marker": {"color": QUAD_COLOURS[quad]}}
              for quad, label in QUADS.items() if any(p["quads"][str(quad)] for p in rows)]
    layout = dict(BASE_LAYOUT, height=max(180, 28 * len(rows) + 80), barmode="stack",
                  yaxis={"automargin": True}, margin={"l": 90, "r": 10, "t": 30, "b": 30},
                  legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"})
    return {"data": traces, "layout": layout}


def partner_graph(graph: dict) -> Optional[dict]:
    """The focus countries in the middle, their partners on a circle; an
    edge's width grows with the events the two share, its colour is the quad
    most of them fall in."""
    nodes = graph["nodes"]
    if len(nodes) < 2:
        return None
    focus = [n for n in nodes if n["focus"]]
    others = [n for n in nodes if not n["focus"]]
    position = {}
    for i, node in enumerate(focus):
        position[node["code"]] = ((i - (len(focus) - 1) / 2) * 0.6, 0.0)
    for i, node in enumerate(others):
        angle = 2 * math.pi * i / max(1, len(others)) + math.pi / 2
        position[node["code"]] = (math.cos(angle), math.sin(angle))
    heaviest = max((e["events"] for e in graph["edges"]), default=1) or 1
    traces = []
    for edge in graph["edges"]:
        (x0, y0), (x1, y1) = position[edge["a"]], position[edge["b"]]
        quad = max(QUADS, key=lambda q: edge["quads"].get(str(q), 0))
        traces.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1],
                       "hoverinfo": "skip", "showlegend": False,
                       "line": {"width": 1 + 7 * edge["events"] / heaviest,
                                "color": QUAD_COLOURS[quad]}, "opacity": 0.6})
    # one invisible point per edge midpoint carries the edge's hover text and link
    traces.append({"type": "scatter", "mode": "markers", "showlegend": False,
                   "x": [(position[e["a"]][0] + position[e["b"]][0]) / 2 for e in graph["edges"]],
                   "y": [(position[e["a"]][1] + position[e["b"]][1]) / 2 for e in graph["edges"]],
                   "text": [f"{e['a']}–{e['b']}: {e['events']} events" for e in graph["edges"]],
                   "customdata": [pair_url(e["a"], e["b"]) for e in graph["edges"]],
                   "hovertemplate": "%{text}<extra></extra>",
                   "marker": {"size": 10, "opacity": 0}})
    biggest = max((n["events"] for n in nodes), default=1) or 1
    traces.append({
        "type": "scatter", "mode": "markers+text", "showlegend": False,
        "x": [position[n["code"]][0] for n in nodes], "y": [position[n["code"]][1] for n in nodes],
        "text": [n["name"] or n["code"] for n in nodes], "textposition": "top center",
        "customdata": [entity_url("country:" + n["code"]) for n in nodes],
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {"size": [14 + 22 * math.sqrt(n["events"] / biggest) for n in nodes],
                   "color": ["#264653" if n["focus"] else "#8ab6c1" for n in nodes],
                   "line": {"width": 1, "color": "#fff"}},
    })
    axis = {"visible": False, "range": [-1.35, 1.35]}
    layout = dict(BASE_LAYOUT, height=380, xaxis=axis, yaxis=dict(axis, scaleanchor="x"),
                  margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return {"data": traces, "layout": layout}
