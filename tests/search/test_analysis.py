"""How queries and product names are cut into what both backends match on."""

from search.analysis import Term, analyze, query_clauses, readings
from search.spelling import closest, edit_distance, max_edits


def test_chinese_run_is_a_substring_or_its_words_when_query_has_no_spaces():
    assert query_clauses("宁海蛭子") == [((Term("宁海蛭子"),), (Term("宁海"), Term("蛭子")))]


def test_spaced_pinyin_is_read_joined_or_as_separate_words():
    assert query_clauses("Shi  Hu") == [(
        (Term("shihu", latin=True),),
        (Term("shi", latin=True), Term("hu", latin=True)),
    )]


def test_synonym_variant_adds_the_term_when_query_contains_it():
    clauses = query_clauses("长街蛏子", synonyms={"蛏子": "蛭子"})
    assert (Term("长街蛭子"),) in clauses[0]
    latin = query_clauses("chengzi", synonyms={"chengzi": "蛭子"})
    assert (Term("蛭子"),) in latin[0]


def test_only_the_last_latin_word_is_unfinished_when_completing():
    clauses = query_clauses("宁海 zhiz", prefix_last=True)
    assert clauses[1][0] == (Term("zhiz", latin=True, prefix=True),)
    assert query_clauses("zhiz ", prefix_last=True)[0][0] == (Term("zhiz", latin=True),)


def test_product_name_gets_bigrams_pinyin_initials_and_every_reading_of_polyphones():
    tokens = analyze(["长街蛭子", "笋脯花生"])
    assert tokens.grams[:3] == ["长街", "街蛭", "蛭子"]
    assert {"zhizi", "changjie", "changjiezhizi", "sunfu", "sunpu"} <= set(tokens.pinyin)
    assert {"cjzz", "zz", "sfhs"} <= set(tokens.initials)
    assert readings("长街")[0] == ("chang",)  # the reading in context, not zhang


def test_typos_are_forgiven_by_word_length_like_elasticsearch_auto():
    assert [max_edits(w) for w in ("zz", "zhizi", "changjie")] == [0, 1, 2]
    assert edit_distance("zhizhi", "zhizi") == 1 and edit_distance("lanmie", "lanmei") == 1
    assert closest("zhizhi", {"zhizi", "shizi", "changjie"}) == ["zhizi"]
