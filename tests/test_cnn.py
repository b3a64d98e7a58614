"""The channels-last CNN encoder computes what slovnet's encoder computes."""
import numpy as np
import pytest

from svodka.cnn import ChannelsLastEncoder, use_channels_last

TEXTS = [
    "Премьер-министр Казахстана Алихан Смаилов провёл переговоры с премьер-министром Кубы Мануэлем Марреро Крусом.",
    "Встреча прошла в Сочи на полях заседания Евразийского межправительственного совета.",
    "Стороны обсудили сотрудничество в торгово-экономической сфере.",
]


@pytest.fixture(scope="module")
def embedding():
    from natasha import NewsEmbedding
    return NewsEmbedding()


@pytest.mark.parametrize("name", ["NewsNERTagger", "NewsMorphTagger", "NewsSyntaxParser"])
def test_encoder_output_matches_slovnet(embedding, name):
    import natasha
    from slovnet.exec.infer import text_words
    tagger = getattr(natasha, name)(embedding)
    model = tagger.infer.model
    batch = next(iter(tagger.infer.encoder([text_words(t) for t in TEXTS])))
    assert batch.pad_mask.any(), "the batch must have padding to test masking"
    x = model.emb(batch.word_id, batch.shape_id)
    expected = model.encoder(x, batch.pad_mask)
    got = ChannelsLastEncoder(model.encoder)(x, batch.pad_mask)
    assert got.shape == expected.shape
    assert np.allclose(got, expected, atol=1e-4, rtol=1e-4)
    assert not got[batch.pad_mask].any()


def test_taggers_give_the_same_markup(embedding):
    from natasha import NewsMorphTagger, NewsNERTagger
    words = [t.split() for t in TEXTS]
    for cls, read in ((NewsNERTagger, lambda t: [[(s.start, s.stop, s.type) for s in m.spans]
                                                 for m in t.map(TEXTS)]),
                      (NewsMorphTagger, lambda t: [[(x.pos, x.feats) for x in m.tokens]
                                                   for m in t.map(words)])):
        plain, fast = cls(embedding), cls(embedding)
        use_channels_last(fast)
        use_channels_last(fast)     # idempotent
        assert read(fast) == read(plain)
