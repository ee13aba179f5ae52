"""Two editors on one article: a save based on an older version is refused, and nobody's work is lost."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Claim
from tests.admin_forms import admin_form_data
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def two_claims():
    """An article with one section of two claims."""
    section = SectionFactory(article=ArticleFactory(title="Original title"), heading="Dosing")
    first = ClaimFactory(section=section, order=0, text="First claim.")
    second = ClaimFactory(section=section, order=1, text="Second claim.")
    # As the editor's save that built it leaves it: `updated_at` after its parts' history rows.
    Article.objects.filter(pk=section.article_id).update(updated_at=timezone.now())
    return Article.objects.get(), first, second


@pytest.fixture
def editor_a(db):
    return EditorFactory(username="amira", first_name="Amira", last_name="Haddad")


@pytest.fixture
def editor_b(db):
    return EditorFactory(username="bruno", first_name="Bruno", last_name="Lindqvist")


def new_claim(index, text):
    """The fields a browser adds for a new claim typed at position `index` of the first section."""
    prefix = f"sections-0-claims-{index}"
    return {
        "sections-0-claims-TOTAL_FORMS": str(index + 1),
        f"{prefix}-text": text,
        f"{prefix}-order": str(index),
        f"{prefix}-citations-TOTAL_FORMS": "0",
        f"{prefix}-citations-INITIAL_FORMS": "0",
        f"{prefix}-citations-MIN_NUM_FORMS": "0",
        f"{prefix}-citations-MAX_NUM_FORMS": "1000",
    }


def typed_values(form):
    """The form's fields an editor types in: everything but the version it carries and the CSRF token."""
    return {name: value for name, value in form.items() if name not in UNTYPED}


UNTYPED = ("loaded_version", "loaded_at", "csrfmiddlewaretoken")


def opened_by(user, article):
    """A browser session of `user` with the article's change page loaded: (client, the form it would post)."""
    client = Client()
    client.force_login(user)
    return client, admin_form_data(client.get(change_url(article)))


def test_save_based_on_an_older_version_is_refused_with_409_and_keeps_the_first_save(two_claims, editor_a, editor_b):
    article, first, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    assert client_a.post(change_url(article), form_a | {"title": "Title by A"}).status_code == 302

    response = client_b.post(change_url(article), form_b | {"sections-0-claims-0-text": "Claim by B."})

    assert response.status_code == 409
    first.refresh_from_db()
    assert (Article.objects.get().title, first.text) == ("Title by A", "First claim.")


def test_conflict_page_keeps_every_value_the_second_editor_typed_and_their_untouched_changes(
    two_claims, editor_a, editor_b
):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"title": "Title by A"})
    typed = form_b | {
        "lede": "Lede by B.",
        "sections-0-heading": "Heading by B",
        "sections-0-claims-0-text": "Claim by B.",
    }

    response = client_b.post(change_url(article), typed)

    assert typed_values(admin_form_data(response)) == typed_values(typed) | {"title": "Title by A"}


def test_conflict_page_names_who_saved_and_what_they_changed(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"title": "Title by A"})

    response = client_b.post(change_url(article), form_b | {"sections-0-claims-0-text": "Claim by B."})

    changes = [(change.who, change.summary) for change in response.context["changes"]]
    assert changes == [("Amira Haddad", "Changed the article: title.")]
    html = response.content.decode()
    assert "Amira Haddad" in html and "Changed the article: title." in html
    assert "“Original title” became “Title by A”." in html


def test_two_editors_changing_different_claims_do_not_overwrite_each_other(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    assert client_a.post(change_url(article), form_a | {"sections-0-claims-0-text": "First by A."}).status_code == 302

    response = client_b.post(change_url(article), form_b | {"sections-0-claims-1-text": "Second by B."})

    assert response.status_code == 409
    assert list(Claim.objects.order_by("order").values_list("text", flat=True)) == ["First by A.", "Second claim."]
    assert [(change.who, change.summary) for change in response.context["changes"]] == [
        ("Amira Haddad", "Changed the claim “First claim.” in “Dosing”: clinician wording.")
    ]
    assert admin_form_data(response)["sections-0-claims-1-text"] == "Second by B."


def test_conflict_form_has_their_changes_in_the_fields_the_editor_left_alone(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"title": "Title by A", "sections-0-claims-0-text": "First by A."})

    response = client_b.post(change_url(article), form_b | {"sections-0-claims-1-text": "Second by B."})

    shown = admin_form_data(response)
    assert (shown["title"], shown["sections-0-claims-0-text"], shown["sections-0-claims-1-text"]) == (
        "Title by A",
        "First by A.",
        "Second by B.",
    )
    assert response.context["clashes"] == []


def test_saving_the_conflict_form_keeps_both_editors_changes(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"title": "Title by A", "sections-0-claims-0-text": "First by A."})
    conflict = client_b.post(
        change_url(article), form_b | {"lede": "Lede by B.", "sections-0-claims-1-text": "Second by B."}
    )

    again = client_b.post(change_url(article), admin_form_data(conflict))

    article.refresh_from_db()
    assert (again.status_code, article.title, article.lede, article.version) == (302, "Title by A", "Lede by B.", 3)
    assert list(Claim.objects.order_by("order").values_list("text", flat=True)) == ["First by A.", "Second by B."]


def test_a_field_both_editors_changed_keeps_the_second_editors_words_and_is_named(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"title": "Title by A"})

    response = client_b.post(change_url(article), form_b | {"title": "Title by B"})

    assert (admin_form_data(response)["title"], response.context["clashes"]) == (
        "Title by B",
        ["Title of the article"],
    )


def test_claims_the_other_editor_added_are_kept_after_the_editors_own(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | new_claim(2, "Added by A."))
    conflict = client_b.post(change_url(article), form_b | new_claim(2, "Added by B."))

    again = client_b.post(change_url(article), admin_form_data(conflict))

    assert again.status_code == 302
    assert list(Claim.objects.order_by("order").values_list("text", "order")) == [
        ("First claim.", 0),
        ("Second claim.", 1),
        ("Added by B.", 2),
        ("Added by A.", 3),
    ]


def test_a_claim_the_other_editor_removed_leaves_the_form_and_its_words_are_shown(two_claims, editor_a, editor_b):
    article, _, _ = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"sections-0-claims-1-DELETE": "on"})

    response = client_b.post(change_url(article), form_b | {"sections-0-claims-1-text": "Second by B."})

    shown = admin_form_data(response)
    assert (shown["sections-0-claims-TOTAL_FORMS"], "sections-0-claims-1-text" in shown) == ("1", False)
    assert response.context["rows_gone"] == ["Second by B."]


def test_the_conflict_form_saves_again_after_the_other_editor_removed_a_claim(two_claims, editor_a, editor_b):
    article, _, second = two_claims
    client_a, form_a = opened_by(editor_a, article)
    client_b, form_b = opened_by(editor_b, article)
    client_a.post(change_url(article), form_a | {"sections-0-claims-0-DELETE": "on"})
    conflict = client_b.post(change_url(article), form_b | {"lede": "Lede by B."})

    again = client_b.post(change_url(article), admin_form_data(conflict))

    assert again.status_code == 302
    assert (Article.objects.get().lede, list(Claim.objects.values_list("pk", "order"))) == (
        "Lede by B.",
        [(second.pk, 0)],
    )


def test_save_based_on_the_current_version_succeeds_and_bumps_the_version_by_one(two_claims, editor_a):
    article, first, _ = two_claims
    client, form = opened_by(editor_a, article)

    response = client.post(change_url(article), form | {"sections-0-claims-0-text": "Reworded."})

    first.refresh_from_db()
    assert (response.status_code, first.text, Article.objects.get().version) == (302, "Reworded.", 2)


def test_a_save_changing_the_article_and_its_claims_bumps_the_version_once_and_writes_no_history_for_it(
    two_claims, editor_a
):
    article, _, _ = two_claims
    client, form = opened_by(editor_a, article)

    client.post(change_url(article), form | {"title": "New title", "sections-0-claims-0-text": "Reworded."})

    article.refresh_from_db()
    assert article.version == 2
    assert [row.title for row in article.history.order_by("history_id")] == ["Original title", "New title"]


def test_a_form_without_its_version_is_refused(two_claims, editor_a):
    article, _, _ = two_claims
    client, form = opened_by(editor_a, article)
    del form["loaded_version"]

    response = client.post(change_url(article), form | {"title": "New title"})

    assert (response.status_code, Article.objects.get().title) == (409, "Original title")


def test_twenty_pairs_of_saves_lose_no_update(editor_a, editor_b):
    section = SectionFactory(article=ArticleFactory(title="Title 0"))
    claim = ClaimFactory(section=section, text="Claim 0.")
    article = section.article
    lost, refused = 0, 0
    for n in range(1, 21):
        client_a, form_a = opened_by(editor_a, article)
        client_b, form_b = opened_by(editor_b, article)
        client_a.post(change_url(article), form_a | {"title": f"Title {n}"})
        response = client_b.post(change_url(article), form_b | {"sections-0-claims-0-text": f"Claim {n}."})
        article.refresh_from_db()
        claim.refresh_from_db()
        lost += article.title != f"Title {n}"
        refused += response.status_code == 409 and claim.text == f"Claim {n - 1}."
        # B, told of the conflict, reloads and saves their change on the current version.
        client_b, form_b = opened_by(editor_b, article)
        client_b.post(change_url(article), form_b | {"sections-0-claims-0-text": f"Claim {n}."})
    article.refresh_from_db()
    claim.refresh_from_db()
    assert (lost, refused, article.title, claim.text, article.version) == (0, 20, "Title 20", "Claim 20.", 41)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Needs PostgreSQL's row locks and concurrent sessions.")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_posted_at_the_same_moment_let_exactly_one_win():
    section = SectionFactory(article=ArticleFactory(title="Original title"))
    claim = ClaimFactory(section=section, text="Original claim.")
    article = section.article
    editors = [EditorFactory(username="amira"), EditorFactory(username="bruno")]
    sessions = [opened_by(user, article) for user in editors]
    changes = [{"title": "Title by A"}, {"sections-0-claims-0-text": "Claim by B."}]
    barrier = threading.Barrier(2)
    statuses = [None, None]

    def save(index):
        client, form = sessions[index]
        try:
            barrier.wait(timeout=30)
            statuses[index] = client.post(change_url(article), form | changes[index]).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    article.refresh_from_db()
    claim.refresh_from_db()
    won = (article.title, claim.text) == ("Title by A", "Original claim.")
    assert sorted(statuses) == [302, 409]
    assert won == (statuses[0] == 302)
    assert (article.title, claim.text) in [("Title by A", "Original claim."), ("Original title", "Claim by B.")]
    assert article.version == 2
