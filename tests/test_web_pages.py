"""The server-rendered pages: highlights built from offsets, furniture kept
apart, hostile article text inert, 404 and 422 pages, links everywhere."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient  # noqa: E402

from svodka.web import create_app  # noqa: E402
from svodka.web.highlight import highlight_body  # noqa: E402
from web_seed import HOSTILE_ID, SEED_ID, build_test_db, hostile_analysis, seed_analysis  # noqa: E402

SMAILOV = "person:Алихан Смаилов"
OUR_SCRIPTS = {"/vendor/plotly.min.js", "/static/app.js"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = build_test_db(tmp_path_factory.mktemp("pages") / "kb.db", seed_published="2023-10-04")
    with TestClient(create_app(str(path))) as client:
        yield client


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None


def assert_inert(html: str) -> None:
    """No script but ours and JSON data blocks; no event-handler attributes;
    no element the article text could have introduced."""
    elements = Elements(html)
    for attrs, text in elements.scripts:
        if attrs.get("type") == "application/json":
            json.loads(text)   # data, and the whole of it
        else:
            assert attrs.get("src") in OUR_SCRIPTS and not text.strip(), attrs
    for tag, attrs in elements.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert tag not in ("img", "b", "i", "iframe", "object"), (tag, attrs)


# -- the article -----------------------------------------------------------------
def test_article_highlights_mentions_and_evidence(client):
    html = page(client, f"/documents/{SEED_ID}")
    person_link = f'href="/entities/{quote(SMAILOV, safe=":")}"'
    assert f'<a class="mention m-per" {person_link}' in html
    assert 'class="mention m-locorg" href="/entities/country:KAZ"' in html
    assert 'class="evidence quad-1" id="evidence-0"' in html
    assert '<a href="#event-0"' in html and 'id="event-0"' in html
    assert '<a class="pairlink" href="/pairs/CUB/KAZ">' in html


def test_article_furniture_is_apart_from_the_body(client):
    html = page(client, f"/documents/{SEED_ID}")
    body = html.split('<div class="body"', 1)[1].split("</div>", 1)[0]
    assert "Премьер-министр" in body
    for furniture in ("Фото:", "Катаром", "Подпишитесь", "По сообщению сайта"):
        assert furniture not in body, furniture
    related = html.split('<section class="related">', 1)[1].split("</section>", 1)[0]
    assert "Между Казахстаном и Катаром" in related
    meta = html.split('<dl class="meta">', 1)[1].split("</dl>", 1)[0]
    assert "primeminister.kz" in meta and "kapital.kz" in meta
    assert '<dd class="photo-credit">primeminister.kz</dd>' in html


def test_highlighted_body_reproduces_the_text():
    """Strip the markup of the highlighted body and the body comes back:
    nothing dropped, nothing doubled, whatever the overlaps."""
    for analysis in (seed_analysis(), hostile_analysis()):
        html = str(highlight_body(analysis))
        text = "".join(Collect(html).parts)
        assert text == analysis.document.body


class Collect(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.parts, self._sup = [], 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._sup += tag == "sup"

    def handle_endtag(self, tag):
        self._sup -= tag == "sup"

    def handle_data(self, data):
        if not self._sup:
            self.parts.append(data)


def test_overlapping_spans_stay_well_formed():
    analysis = seed_analysis()
    # an event whose evidence starts inside a mention
    first = analysis.mentions[0]
    event = analysis.events[1]
    event.start = first.start + 2
    html = str(highlight_body(analysis))
    assert html.count("<mark") == html.count("</mark>")
    assert html.count("<a ") == html.count("</a>")
    assert "".join(Collect(html).parts) == analysis.document.body


# -- escaping --------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    f"/documents/{HOSTILE_ID}", "/search?q=соглашение", "/search?q=Путин", "/pairs/CHN/RUS",
    "/entities/country:RUS", "/entities/person:" + quote("Путин <script>"), "/events?country=CHN",
    "/search?q=" + quote('<script>alert(1)</script>'), "/search?source=" + quote('"><script>x'),
    "/documents/" + quote('<script>alert(1)</script>'),
])
def test_hostile_text_renders_inert(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404), response.text[:300]
    html = response.text
    assert "<script>alert" not in html
    assert '" onmouseover=' not in html
    assert "<img" not in html and "<b>" not in html
    assert_inert(html)


def test_hostile_article_text_is_shown_as_text(client):
    html = page(client, f"/documents/{HOSTILE_ID}")
    assert "&lt;b&gt;жирно&lt;/b&gt;" in html
    assert "&lt;/script&gt;&lt;script&gt;alert(4)&lt;/script&gt;&lt;!--" in html
    assert "onmouseover=&#34;alert(1)&#34;" in html
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html     # the title
    assert "&lt;i&gt;headline&lt;/i&gt;" in html                                # related headline


def test_chart_data_cannot_close_its_script_block():
    from svodka.web.pages import chart_json
    text = 'x</script><script>alert(1)</script><!-- " onmouseover="y" & \\" \\'
    html = str(chart_json({"data": [{"text": [text]}], "layout": {}}, "c"))
    block = html.split('<script type="application/json" id="c-data">', 1)[1]
    data, rest = block.split("</script>", 1)
    assert rest == ""
    assert json.loads(data)["data"][0]["text"] == [text]
    assert '"' + " onmouseover" not in data and "<" not in data and "&" not in data


def test_security_headers(client):
    response = client.get(f"/documents/{SEED_ID}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


# -- the other pages --------------------------------------------------------------
def test_start_page_and_search_with_facets(client):
    html = page(client, "/")
    assert 'name="viewport"' in html
    assert 'href="/pairs/CUB/KAZ"' in html or 'href="/pairs/KAZ/CUB"' in html
    assert 'data-facet="source"' in html and "?source=tass.ru" in html
    html = page(client, "/search?q=Куба")
    assert f'href="/documents/{SEED_ID}"' in html
    assert "<mark>" in html                                   # the snippet's match
    assert 'href="/entities/country:CUB"' in html             # an entity hit
    filtered = page(client, "/search?q=переговоры&source=kapital.kz")
    assert "source: kapital.kz" in filtered and "/search?q=%D0%BF" in filtered
    # an empty form field is no filter
    page(client, "/search?q=&source=&country=&date_from=&date_to=")


def test_person_page(client):
    html = page(client, "/entities/" + quote(SMAILOV))
    assert "<h1>Алихан Смаилов</h1>" in html
    assert "премьер-министр" in html and 'href="/entities/country:KAZ"' in html
    assert "Товарооборот" in html
    assert 'data-chart="person-timeline"' in html


def test_country_page_has_partners_graph(client):
    html = page(client, "/entities/country:KAZ")
    assert 'data-chart="partner-graph"' in html and 'data-chart="partners-bars"' in html
    assert 'href="/pairs/KAZ/CUB"' in html
    graph = Elements(html)
    data = next(json.loads(t) for a, t in graph.scripts if a.get("id") == "partner-graph-data")
    nodes = data["data"][-1]
    assert set(nodes["text"]) >= {"Казахстан", "Куба", "Россия"}


def test_pair_page_timeline(client):
    html = page(client, "/pairs/KAZ/CUB")
    assert 'data-chart="pair-timeline"' in html and 'data-chart="pair-graph"' in html
    timeline = html.split('<ol class="timeline-list">', 1)[1].split("</ol>", 1)[0]
    assert "CONSULT" in timeline and "2023-10-04" in timeline
    assert f'href="/documents/{SEED_ID}#event-0"' in timeline
    # the events' parties link to their pages
    assert 'href="/entities/person:' + quote("Алихан Смаилов") + '"' in html


def test_events_page_filters(client):
    html = page(client, "/events?country=KAZ&category=CONSULT")
    assert html.count('class="event quad-1"') == 7
    page(client, "/events?country=&pair=&category=&quad=&context=&date_from=&date_to=")


# -- errors ----------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/documents/nope", "/entities/person:Nobody", "/pairs/KAZ/ZZZ",
                                 "/no/such/page"])
def test_unknown_ids_give_404_pages(client, url):
    html = page(client, url, status=404)
    assert "404" in html and "Not found" in html


@pytest.mark.parametrize("url, words", [
    ("/events?date_from=yesterday", "YYYY"), ("/pairs/KAZ/KAZ", "differ"),
    ("/events?category=FRIENDSHIP", "PLOVER category"), ("/search?page=0", "page"),
    ("/search?page=100000", "page"), ("/entities/nonsense", "KIND:NAME"),
    ("/events?quad=9", "quad"),
])
def test_malformed_parameters_give_422_pages(client, url, words):
    html = page(client, url, status=422)
    assert "422" in html and words in html


def test_nothing_loads_from_elsewhere(client):
    """No CDN: every script, stylesheet and icon comes from this server."""
    for url in ("/", f"/documents/{SEED_ID}", "/pairs/KAZ/CUB", "/entities/country:KAZ"):
        for tag, attrs in Elements(page(client, url)).tags:
            if tag in ("script", "link", "img") and (attrs.get("src") or attrs.get("href")):
                assert (attrs.get("src") or attrs.get("href")).startswith("/"), (url, tag, attrs)
    assert client.get("/docs").status_code == 404
    assert client.get("/vendor/plotly.min.js").headers["content-type"].startswith("text/javascript")
