"""The natasha stack as svodka runs it: offsets, batching, homoglyphs,
furniture inside the body."""
from svodka.model import Document, Furniture
from svodka.nlp import fold_homoglyphs, get_nlp

TEXT = ("Президент России Владимир Путин встретился с президентом Казахстана "
        "Касым-Жомартом Токаевым в Москве.\nСтороны обсудили сотрудничество.")


def test_offsets_point_into_the_document_text():
    doc = Document(id="d", text="Фото: ТАСС.\n" + TEXT, body_start=12)
    (a,) = get_nlp().annotate([doc])
    assert a.sentences[0].text.startswith("Президент")
    for sentence in a.sentences:
        assert doc.text[sentence.start:sentence.stop] == sentence.text
        for token in sentence.tokens:
            assert doc.text[token.start:token.stop] == token.text
    for mention in a.mentions:
        assert doc.text[mention.start:mention.stop] == mention.text
    assert {m.normal for m in a.mentions} >= {"Владимир Путин", "Касым-Жомарт Токаев", "Москва"}
    assert all(m.start >= 12 for m in a.mentions)


def test_a_batch_equals_documents_one_by_one():
    docs = [Document(id=str(i), text=TEXT + " " * i) for i in range(3)] + [Document(id="e", text="  ")]
    nlp = get_nlp()
    batch = nlp.annotate(docs)
    single = [nlp.annotate([d])[0] for d in docs]
    assert [[(m.start, m.type, m.normal) for m in a.mentions] for a in batch] == \
           [[(m.start, m.type, m.normal) for m in a.mentions] for a in single]
    assert batch[-1].sentences == [] and batch[-1].mentions == []


def test_homoglyphs_read_as_cyrillic_without_moving_offsets():
    text = "Прeзидент Рoссии встретился с CEO компании Apple в Mоскве."
    folded = fold_homoglyphs(text)
    assert folded == "Президент России встретился с CEO компании Apple в Москве."
    doc = Document(id="h", text=text)
    (a,) = get_nlp().annotate([doc])
    assert a.sentences[0].tokens[0].text == "Президент"
    normals = {m.normal for m in a.mentions}
    assert "Россия" in normals and "Москва" in normals
    for mention in a.mentions:
        assert text[mention.start:mention.stop] == mention.text


def test_furniture_inside_the_body_is_not_analysed():
    line = "Читайте также: Путин встретился с Си Цзиньпином"
    text = TEXT.replace("\n", "\n" + line + "\n")
    start = text.index(line)
    doc = Document(id="f", text=text, furniture=[Furniture(start, start + len(line), "related_headline", line)])
    (a,) = get_nlp().annotate([doc])
    assert all("Си" not in s.text for s in a.sentences)
    assert all(not (start <= m.start < start + len(line)) for m in a.mentions)


def test_syntax_only_on_demand():
    (a,) = get_nlp().annotate([Document(id="s", text=TEXT)])
    assert not any(s.parsed for s in a.sentences)
    get_nlp().parse(a.sentences[:1])
    first = a.sentences[0]
    assert first.parsed and not a.sentences[1].parsed
    roots = [t for t in first.tokens if t.head == -1]
    assert [t.text for t in roots] == ["встретился"]
