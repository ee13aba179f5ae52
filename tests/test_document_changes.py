"""What changed between two revisions: every difference that changes the hash reaches the desk."""

import copy
import hashlib
import html

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial.corrections import ChangeType
from editorial.document_changes import claim_hash, document_changes
from editorial.models import Revision
from editorial.revisions import canonical_json, content_hash
from editorial.services import article_submit
from tests.factories import article_with_claims

STRUCTURAL_KEYS = {"uid", "id", "number", "citations"}


def _leaf_paths(value, path=()):
    """Every (path to a text or number) of a document, but the keys that tie its parts together."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in STRUCTURAL_KEYS:
                yield from _leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, (*path, index))
    else:
        yield path


def _set(document, path, value):
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


def _get(document, path):
    for key in path:
        document = document[key]
    return document


def _mutations(document):
    """(name, mutate(document, word) -> the text the desk must show) for each way one field alone can change."""
    mutations = []
    for path in _leaf_paths(document):
        if isinstance(_get(document, path), str):

            def text(doc, word, path=path):
                _set(doc, path, f"{_get(doc, path)} {word}".strip())
                return word

            mutations.append(("/".join(map(str, path)), text))
        else:

            def number(doc, word, path=path):
                _set(doc, path, _get(doc, path) % 3 + 2)  # 2 → 3, 3 → 4, 2021 → 2022…: always another value
                return str(_get(doc, path))

            mutations.append(("/".join(map(str, path)), number))

    def reorder_citations(doc, word):
        doc["sections"][0]["claims"][0]["citations"].reverse()
        return "Citations reordered"

    def drop_citation(doc, word):
        doc["sections"][0]["claims"][0]["citations"].pop()
        return "No longer cites"

    def move_claim(doc, word):
        claims = doc["sections"][0]["claims"]
        claims.append(claims.pop(0))
        return "Moved to another place in its section"

    def move_claim_across(doc, word):
        doc["sections"][1]["claims"].append(doc["sections"][0]["claims"].pop())
        return "Moved here from"

    def move_section(doc, word):
        doc["sections"].reverse()
        return "Moved from position"

    def add_section(doc, word):
        doc["sections"].append({"heading": word, "level": 2, "intro": "", "claims": []})
        return word

    def remove_claim(doc, word):
        doc["sections"][1]["claims"].pop()
        return "Removed"

    def new_field(doc, word):  # a field the document does not carry yet, such as the disclaimer version
        doc["disclaimer_version"] = word
        return word

    def new_claim_field(doc, word):
        doc["sections"][1]["claims"][0]["note"] = word
        return word

    for mutate in (
        reorder_citations,
        drop_citation,
        move_claim,
        move_claim_across,
        move_section,
        add_section,
        remove_claim,
        new_field,
        new_claim_field,
    ):
        mutations.append((mutate.__name__, mutate))
    return mutations


@pytest.fixture
def base(db, editor):
    """An article's revision document, classified (a correction with its public summary) as a submission freezes it."""
    article = article_with_claims(sections=2, claims_per_section=2, references=3)
    revision = article_submit(
        article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary="The dose was wrong."
    )
    assert {"change_type", "change_summary"} <= revision.content.keys()
    return article, copy.deepcopy(revision.content)


def _revision(article, content, user) -> Revision:
    """Store `content` as the article's next revision, as a submission would freeze it."""
    latest = article.revisions.order_by("-number").first().number
    return Revision.objects.create(
        article=article, number=latest + 1, content=content, content_hash=content_hash(content), created_by=user
    )


def _changes_section(page: str) -> str:
    return page[page.index('id="changes"') : page.index('id="clinician"')]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), word=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=10))
def test_review_page_shows_any_one_field_changed_alone(client, base, editor, managing_editor, data, word):
    article, document = base
    mutations = _mutations(document)
    name, mutate = data.draw(st.sampled_from(mutations), label="mutation")
    changed = copy.deepcopy(document)
    expected = mutate(changed, f"zq{word}")
    assert canonical_json(changed) != canonical_json(document), name
    _revision(article, document, editor)
    revision = _revision(article, changed, editor)
    client.force_login(managing_editor)

    page = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()

    shown = html.unescape(_changes_section(page))
    assert "In short:" in shown and expected in shown, name


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("change_type", "clinical_update", "Kind of change"),
        ("change_summary", "The route was wrong too.", "Summary for readers"),
    ],
)
def test_review_page_shows_a_changed_kind_of_change_or_summary_by_name(
    client, base, editor, managing_editor, key, value, shown
):
    article, document = base
    _revision(article, document, editor)
    revision = _revision(article, {**document, key: value}, editor)
    client.force_login(managing_editor)

    page = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()

    changes = _changes_section(page)
    assert f"{shown} changed" in html.unescape(changes)


def test_document_changes_show_the_lede_word_by_word():
    old = {"lede": "Reduce the dose below eGFR 45.", "sections": [], "references": []}
    new = {**old, "lede": "Use at ANY eGFR without dose change."}
    (change,) = document_changes(old, new).fields
    assert (change.label, change.diff) == (
        "Lede (clinicians)",
        "<del>Reduce the dose below </del><ins>Use at ANY </ins>eGFR <del>45.</del><ins>without dose change.</ins>",
    )


def _claim(uid, text, plain="", citations=()):
    return {"uid": uid, "lead_in": "", "text": text, "plain_text": plain, "citations": list(citations)}


def _doc(*sections, references=()):
    return {
        "sections": [{"heading": h, "level": 2, "intro": "", "claims": list(c)} for h, c in sections],
        "references": list(references),
    }


def test_document_changes_diff_the_patient_wording_word_by_word():
    old = _doc(("Dose", [_claim("c1", "Take 500 mg.", "Take one tablet.")]))
    new = _doc(("Dose", [_claim("c1", "Take 500 mg.", "Take two tablets.")]))
    (claim,) = document_changes(old, new).changed_claims
    assert claim.wordings() == [
        ("Clinician wording", "Take 500 mg.", False),
        ("Patient wording", "Take <del>one tablet.</del><ins>two tablets.</ins>", True),
    ]


def test_document_changes_summarise_a_new_section_and_a_changed_claim():
    old = _doc(("Dose", [_claim("c1", "Take 500 mg.")]))
    new = _doc(("Dose", [_claim("c1", "Take 850 mg.")]), ("Kidneys", [_claim("c2", "Check eGFR.")]))
    assert document_changes(old, new).summary() == [
        ("1 section added", "sections"),
        ("1 claim added", "change-claim-c2"),
        ("1 claim changed", "change-claim-c1"),
    ]


def test_document_changes_of_a_section_moved_name_its_old_place():
    old = _doc(("Dose", []), ("Kidneys", []), ("Liver", []))
    new = _doc(("Liver", []), ("Dose", []), ("Kidneys", []))
    (section,) = document_changes(old, new).sections
    assert (section.status, section.heading, section.moved_from, section.position) == ("moved", "Liver", 3, 1)


def test_document_changes_say_when_only_citations_were_reordered():
    references = [{"number": 1, "id": 10, "title": "A"}, {"number": 2, "id": 11, "title": "B"}]
    old = _doc(("Dose", [_claim("c1", "Take it.", citations=[1, 2])]), references=references)
    new = _doc(("Dose", [_claim("c1", "Take it.", citations=[2, 1])]), references=references)
    (claim,) = document_changes(old, new).changed_claims
    assert claim.citation_notes == ["Citations reordered: now [2], [1]."]


def test_claim_hash_is_the_sha256_of_the_claims_canonical_json():
    claim = _claim("c1", "Take it.", citations=[1])
    expected = hashlib.sha256(canonical_json(claim).encode("utf-8")).hexdigest()
    assert claim_hash(claim) == expected
