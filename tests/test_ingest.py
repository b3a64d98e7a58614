"""Ingest: every kind of input, and every kind of bad input reported with
path, line and reason while the rest goes on."""
import io
import json
from pathlib import Path

import pytest

from svodka.ingest import read_inputs, read_file
from svodka.ingest.ids import content_id
from svodka.model import Document, Rejection

TEXT = "Премьер-министр Казахстана провел переговоры с премьер-министром Кубы.\n"


def items(*paths, **kw):
    return list(read_inputs([str(p) for p in paths], **kw))


def test_plain_text_gets_a_stable_content_id(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT.replace(" ", "  "), encoding="utf-8")
    a, b = items(tmp_path / "a.txt", tmp_path / "b.txt")
    assert a.id == b.id == content_id(TEXT)
    assert a.id.startswith("svk_") and len(a.id) == 4 + 16


def test_file_named_with_an_id_keeps_it(tmp_path):
    path = tmp_path / "000_10db7d64be0f7442.txt"
    path.write_text(TEXT, encoding="utf-8")
    (doc,) = items(path)
    assert doc.id == "000_10db7d64be0f7442"


def test_folder_is_read_recursively_in_order(tmp_path):
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "x" / "y" / "b.txt").write_text(TEXT + "b", encoding="utf-8")
    (tmp_path / "x" / "a.txt").write_text(TEXT + "a", encoding="utf-8")
    (tmp_path / "x" / "notes.md").write_text("skip me", encoding="utf-8")
    docs = items(tmp_path)
    assert [Path(d.path).name for d in docs] == ["a.txt", "b.txt"]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_legacy_encodings_are_decoded(tmp_path, encoding):
    text = "Москва и Астана подписали соглашение о сотрудничестве в сфере энергетики. " * 3
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    (doc,) = items(path)
    assert isinstance(doc, Document)
    assert doc.text == text


def test_jsonl_with_metadata_and_bad_lines(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [
        json.dumps({"text": TEXT, "title": "Переговоры", "url": "https://x.kz/1",
                    "published": "2023-06-08T10:00:00+06:00", "source": "x.kz"}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"text": "   "}),
        json.dumps({"text": TEXT + " второй"}, ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = items(path)
    docs = [x for x in result if isinstance(x, Document)]
    rejected = [x for x in result if isinstance(x, Rejection)]
    assert len(docs) == 2
    assert docs[0].title == "Переговоры" and docs[0].published == "2023-06-08"
    assert docs[0].source == "x.kz" and docs[0].line == 1
    assert [(r.line, r.reason.split(":")[0]) for r in rejected] == [
        (2, "not JSON"), (3, "no 'text' field (or it is empty)"),
        (4, "not a JSON object"), (6, "no 'text' field (or it is empty)")]
    assert all(r.path == str(path) for r in rejected)
    assert str(rejected[0]).startswith(f"{path}:2: not JSON")


def test_empty_binary_missing_and_undecodable(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n ", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "noise.txt").write_bytes(bytes([0x81, 0x8d, 0x8f, 0x90, 0x9d]) * 50)
    result = items(tmp_path / "empty.txt", tmp_path / "blank.txt", tmp_path / "image.txt",
                   tmp_path / "noise.txt", tmp_path / "missing.txt")
    assert all(isinstance(x, Rejection) for x in result), result
    reasons = [x.reason for x in result]
    assert reasons[0].startswith("empty") and reasons[1].startswith("empty")
    assert "binary" in reasons[2]
    assert "undecodable" in reasons[3] or "binary" in reasons[3]
    assert reasons[4] == "no such file or folder"


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.seek(50 * 1024 * 1024)
        f.write(b"x")
    (rejection,) = items(path)
    assert isinstance(rejection, Rejection) and "too large" in rejection.reason
    assert "50.3 MB" in rejection.reason or "52.4 MB" in rejection.reason


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text(TEXT, encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(Path, "read_bytes", denied)
    (rejection,) = items(path)
    assert rejection.reason == "unreadable: Permission denied"


def test_stdin_text_and_jsonl():
    (doc,) = items("-", stdin=io.BytesIO(TEXT.encode("utf-8")))
    assert doc.path == "-" and doc.text == TEXT
    data = (json.dumps({"text": TEXT}, ensure_ascii=False) + "\n" + "oops\n").encode()
    result = items("-", stdin=io.BytesIO(data))
    assert isinstance(result[0], Document) and isinstance(result[1], Rejection)


def test_html_page(tmp_path):
    html = f"""<html><head><title>Переговоры премьеров</title>
    <meta property="og:site_name" content="Капитал"><meta name="date" content="2023-06-08"></head>
    <body><nav>Главная | Новости</nav><article><h1>Переговоры премьеров</h1>
    <p>{TEXT * 3}</p><p>Стороны обсудили торгово-экономическое сотрудничество и
    договорились о визите делегации в ближайшее время.</p></article>
    <footer>© 2023</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    (doc,) = items(path)
    assert isinstance(doc, Document)
    assert "Премьер-министр Казахстана" in doc.text and "Главная" not in doc.text
    assert doc.title == "Переговоры премьеров"
    assert doc.published == "2023-06-08"
