from matching.embedding.cache import CachedEmbedder
from matching.embedding.hashing import HashingEmbedder


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(8)
        self.calls: list[str] = []

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls.extend(texts)
        return super().embed(texts)


def test_memory_holds_only_the_most_recently_used_vectors() -> None:
    inner = Counting()
    cache = CachedEmbedder(inner, memory_size=2)
    cache.embed(["a", "b"])
    cache.embed(["a"])  # a becomes the most recent
    cache.embed(["c"])  # b is evicted, not a
    inner.calls.clear()
    cache.embed(["a", "c"])
    assert inner.calls == []
    cache.embed(["b"])
    assert inner.calls == ["b"]  # without a disk cache, an evicted text is embedded again


def test_linking_queries_are_never_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from matching.linking.linker import ConceptLinker
    from matching.linking.weights import OCCUPATION_WEIGHTS
    from matching.taxonomy import Concept

    cache = CachedEmbedder(Counting(), tmp_path / "cache.sqlite")
    concept = Concept(uri="u", kind="occupation", labels={"en": "nurse"}, alt_labels={}, descriptions={})
    linker = ConceptLinker([concept], cache, OCCUPATION_WEIGHTS, title_mode=True)
    linker.link(["I cared for my mother for six years"], k=1)
    assert cache.forget(["I cared for my mother for six years"]) == 0  # nothing to erase: never stored
