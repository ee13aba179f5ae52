"""The reviewers' word diff: exact, escaped, and bounded in the work it does whatever the texts."""

import pytest

from editorial.diffs import DIFF_BUDGET, WHOLE_CHANGE_NOTE, _shortest_edit, claim_statuses, word_diff

NOTE = f' <span class="diff-note">{WHOLE_CHANGE_NOTE}</span>'


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("The quick brown fox", "The slow brown fox", "The <del>quick</del><ins>slow</ins> brown fox"),
        ("take 4.5 mg daily", "take 3 mg twice daily", "take <del>4.5</del><ins>3</ins> mg<ins> twice</ins> daily"),
        ("one two three", "one two three four", "one two three<ins> four</ins>"),
        ("zero one two", "one two", "<del>zero </del>one two"),
        ("a b c", "x y z", "<del>a b c</del><ins>x y z</ins>"),
        ("same words", "same words", "same words"),
        ("", "new words", "<ins>new words</ins>"),
        ("old words", "", "<del>old words</del>"),
    ],
)
def test_word_diff_small_edits_are_word_precise(old, new, expected):
    assert word_diff(old, new) == expected


def test_word_diff_escapes_every_piece():
    html = word_diff('<b>bold</b> & "x" <script>', '<b>bold</b> & "y" <script>')
    assert html == "&lt;b&gt;bold&lt;/b&gt; &amp; <del>&quot;x&quot;</del><ins>&quot;y&quot;</ins> &lt;script&gt;"


def test_word_diff_shows_a_scattered_edit_of_a_long_text_word_by_word():
    old = " ".join(f"word{i}" for i in range(5_000))
    new = old.replace("word2500 ", "changed ").replace("word10 ", "").replace("word4990", "word4990 added")
    html = word_diff(old, new)
    assert "<del>word10 </del>" in html
    assert "<del>word2500</del><ins>changed</ins>" in html
    assert "word4990<ins> added</ins>" in html
    assert WHOLE_CHANGE_NOTE not in html


def test_word_diff_past_the_budget_shows_the_changed_middle_whole_and_says_so():
    old, new = "Intro. " + "a " * 300 + "Outro.", "Intro. " + "b " * 300 + "Outro."
    html = word_diff(old, new, budget=1_000)
    assert html == f"Intro. <del>{'a ' * 299}a</del><ins>{'b ' * 299}b</ins> Outro.{NOTE}"


def test_word_diff_past_the_budget_still_escapes():
    html = word_diff("<i>" * 100, "<b> " * 100, budget=10)
    assert "<i>" not in html and "<b>" not in html
    assert html.startswith("<del>&lt;i&gt;") and html.endswith(NOTE)


def test_word_diff_of_two_unrelated_long_texts_falls_back_within_the_default_budget():
    old = " ".join(f"old{i}" for i in range(5_000))
    new = " ".join(f"new{i}" for i in range(5_000))
    assert word_diff(old, new) == f"<del>{old}</del><ins>{new}</ins>{NOTE}"


def test_shortest_edit_stops_once_its_work_passes_the_budget():
    old, new = ["a", " "] * 2_000, ["b", " "] * 2_000
    assert _shortest_edit(old, new, DIFF_BUDGET) is None
    assert _shortest_edit(old[:40], new[:40], DIFF_BUDGET) is not None


def test_shortest_edit_is_minimal():
    old, new = list("ABCABBA"), list("CBABAC")
    edits = _shortest_edit(old, new, DIFF_BUDGET)
    assert sum(kind != "equal" for kind, _ in edits) == 5  # Myers' example: D = 5
    assert [token for kind, token in edits if kind != "insert"] == old
    assert [token for kind, token in edits if kind != "delete"] == new


def _document(text):
    claim = {"uid": "c1", "lead_in": "", "text": text, "plain_text": "", "citations": []}
    return {"references": [], "sections": [{"heading": "Dose", "claims": [claim]}]}


def test_claim_statuses_need_no_word_diff():
    assert claim_statuses(_document("a " * 5_000), _document("b " * 5_000)) == {"c1": "changed"}
