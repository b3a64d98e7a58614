"""Analyses as JSON (for scripts and exports) and as readable text (``show``)."""
from __future__ import annotations

from dataclasses import asdict

from .model import Analysis


def analysis_to_json(a: Analysis) -> dict:
    d = a.document
    start, stop = d.body_span
    return {
        "id": d.id, "path": d.path, "line": d.line, "title": d.title, "url": d.url,
        "published": d.published, "source": d.source, "original_source": d.original_source,
        "author": d.author, "photo_credit": d.photo_credit,
        "related_headlines": d.related_headlines,
        "body": {"start": start, "stop": stop, "text": d.body},
        "furniture": [asdict(f) for f in d.furniture],
        "sentences": [{"start": s.start, "stop": s.stop} for s in a.sentences],
        "mentions": [asdict(m) for m in a.mentions],
        "entities": [{k: v for k, v in asdict(e).items()} | {"key": e.key} for e in a.entities],
        "facts": [asdict(f) for f in a.facts],
        "quotes": [asdict(q) for q in a.quotes],
        "events": [e.plover(d.id) for e in a.events],
        "text": d.text,
    }


def format_analysis(a: Analysis) -> str:
    d = a.document
    lines = [f"document {d.id}"]
    for label, value in (("path", d.path), ("title", d.title), ("url", d.url),
                         ("published", d.published), ("source", d.source),
                         ("original source", d.original_source), ("author", d.author),
                         ("photo credit", d.photo_credit)):
        if value:
            lines.append(f"  {label + ':':<17} {value}")
    start, stop = d.body_span
    lines.append(f"  {'body:':<17} [{start}:{stop}] {len(a.sentences)} sentences, "
                 f"{len(d.body)} characters")
    if d.related_headlines:
        lines.append("  related headlines:")
        lines += [f"    - {h}" for h in d.related_headlines]
    dropped = [f for f in d.furniture if f.role not in ("related_headline",)]
    if dropped:
        lines.append("  page furniture:")
        lines += [f"    {f.role:<16} {f.text}" for f in dropped]
    by_id = {e.id: e for e in a.entities}
    lines.append(f"\nentities ({len(a.entities)})")
    for e in a.entities:
        forms = sorted({a.mentions[i].text for i in e.mentions if i < len(a.mentions)})
        extra = ", ".join(x for x in (e.country and f"country {e.country}",
                                      e.position and f"position {e.position}",
                                      e.sector and f"sector {e.sector}",
                                      e.parent and f"part of {e.parent}") if x)
        lines.append(f"  {e.id:<4} {e.kind:<12} {e.name}" + (f"  ({extra})" if extra else ""))
        lines.append(f"       mentions: {', '.join(forms)}")
    if a.facts:
        lines.append(f"\nfacts ({len(a.facts)})")
        for f in a.facts:
            args = "; ".join(f"{k}: {v}" for k, v in f.args.items() if not k.endswith("_entity"))
            lines.append(f"  {f.type:<12} {args}" + (f"  [{f.status}]" if f.status else ""))
    if a.quotes:
        lines.append(f"\nquotes ({len(a.quotes)})")
        for q in a.quotes:
            speaker = by_id[q.speaker].name if q.speaker in by_id else "?"
            text = q.text if len(q.text) < 100 else q.text[:97] + "..."
            lines.append(f"  {speaker}: «{text}» ({q.kind})")
    if a.events:
        lines.append(f"\nevents ({len(a.events)})")
        for e in a.events:
            actors = ", ".join(f"{x.entity_name} ({x.country})" for x in e.actors)
            recips = ", ".join(f"{x.entity_name} ({x.country})" for x in e.recipients)
            lines.append(f"  {e.category:<9} quad {e.quad_code}  {actors}" + (f" -> {recips}" if recips else ""))
            details = [f"mode {','.join(e.mode)}" if e.mode else "",
                       f"context {','.join(e.context)}" if e.context else "",
                       f"at {e.location.resolved_place} ({e.location.country})" if e.location else "",
                       f"date {e.date}" if e.date else ""]
            if any(details):
                lines.append("            " + "; ".join(x for x in details if x))
            lines.append(f"            [{e.start}:{e.stop}] {e.text[:140]}")
    return "\n".join(lines)
