"""Text longer than its field allows is refused with a clear message on every route in, and nothing is lost."""

import json
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

import editorial.demo
from articles.models import CLAIM_MAX_CHARS, INTRO_MAX_CHARS, LEDE_MAX_CHARS, Article, Claim, Section
from editorial.intake import IntakeError, article_intake
from editorial.models import Revision
from references.models import Reference
from tests.admin_forms import admin_form_data
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def too_long(limit: int) -> str:
    return ("Naltrexone at low dose. " * (limit // 10))[: limit + 1]


# The article's admin page, with its nested inlines


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("sections-0-claims-0-text", CLAIM_MAX_CHARS),
        ("sections-0-claims-0-plain_text", CLAIM_MAX_CHARS),
        ("sections-0-intro", INTRO_MAX_CHARS),
        ("lede", LEDE_MAX_CHARS),
        ("plain_lede", LEDE_MAX_CHARS),
    ],
)
def test_admin_refuses_a_text_one_character_too_long_and_shows_it_again(client, editor, field, limit):
    claim = ClaimFactory(text="Keep me.")
    client.force_login(editor)
    url = change_url(claim.section.article)
    typed = too_long(limit)
    form = admin_form_data(client.get(url)) | {field: typed}

    response = client.post(url, form)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Ensure this value has at most {limit} characters (it has {limit + 1})." in html
    assert admin_form_data(response)[field] == typed  # everything typed is on the page again
    claim.refresh_from_db()
    assert claim.text == "Keep me."


def test_admin_refuses_a_100000_character_claim_cleanly(client, editor):
    claim = ClaimFactory(text="Keep me.")
    client.force_login(editor)
    url = change_url(claim.section.article)
    typed = "word " * 19_999 + "words"
    form = admin_form_data(client.get(url)) | {"sections-0-claims-0-text": typed}

    response = client.post(url, form)

    assert response.status_code == 200
    assert f"Ensure this value has at most {CLAIM_MAX_CHARS} characters (it has 100000)." in response.content.decode()
    assert admin_form_data(response)["sections-0-claims-0-text"] == typed
    assert Claim.objects.get().text == "Keep me."


def test_admin_accepts_a_claim_at_the_limit(client, editor):
    claim = ClaimFactory(text="Short.")
    client.force_login(editor)
    url = change_url(claim.section.article)
    exact = too_long(CLAIM_MAX_CHARS)[:CLAIM_MAX_CHARS]
    form = admin_form_data(client.get(url)) | {"sections-0-claims-0-text": exact}

    assert client.post(url, form).status_code == 302
    claim.refresh_from_db()
    assert claim.text == exact


def test_admin_text_boxes_carry_no_maxlength_so_a_browser_never_cuts_a_paste_silently(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)

    html = client.get(change_url(claim.section.article)).content.decode()

    assert 'name="sections-0-claims-0-text"' in html
    assert re.search(r"<textarea[^>]*maxlength", html) is None


@pytest.mark.parametrize(
    ("model_field", "limit"),
    [("text", CLAIM_MAX_CHARS), ("plain_text", CLAIM_MAX_CHARS)],
)
def test_model_validation_names_the_over_long_field(model_field, limit):
    claim = ClaimFactory()
    setattr(claim, model_field, too_long(limit))

    with pytest.raises(ValidationError) as refusal:
        claim.full_clean()

    assert refusal.value.message_dict[model_field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


# Programmatic intake and article_sync

PAYLOAD = {
    "references": [{"key": "trial", "kind": "trial", "title": "A trial", "authors": "Doe J", "year": 2013}],
    "article": {
        "slug": "long-words",
        "question": "Is this too long?",
        "title": "Too long",
        "lede": "Short.",
        "specialty": "Testing",
        "sections": [
            {"heading": "First", "claims": [{"text": "Fine.", "cites": ["trial"]}]},
            {"heading": "Second", "claims": [{"text": "Fine."}, {"text": "Fine.", "cites": ["trial"]}]},
        ],
    },
}


def payload_with(path: tuple, value: str) -> dict:
    payload = json.loads(json.dumps(PAYLOAD))
    target = payload["article"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return payload


@pytest.mark.parametrize(
    ("path", "limit", "message"),
    [
        (("sections", 1, "claims", 1, "text"), CLAIM_MAX_CHARS, "The text of claim 2 of section 2"),
        (
            ("sections", 1, "claims", 0, "plain_text"),
            CLAIM_MAX_CHARS,
            "The plain-language text of claim 1 of section 2",
        ),
        (("sections", 0, "intro"), INTRO_MAX_CHARS, "The intro of section 1"),
        (("lede",), LEDE_MAX_CHARS, "The lede"),
        (("plain_lede",), LEDE_MAX_CHARS, "The plain-language lede"),
    ],
)
def test_intake_refuses_an_over_long_text_saying_where_and_writes_nothing(editor, path, limit, message):
    payload = payload_with(path, too_long(limit))

    with pytest.raises(IntakeError) as refused:
        article_intake(payload=payload, user=editor)

    assert str(refused.value) == f"{message} has {limit + 1:,} characters; the limit is {limit:,}."
    assert (Article.objects.count(), Section.objects.count(), Reference.objects.count()) == (0, 0, 0)
    assert Revision.objects.count() == 0


def test_intake_command_refuses_an_over_long_claim(tmp_path, editor):
    path = tmp_path / "article.json"
    path.write_text(json.dumps(payload_with(("sections", 0, "claims", 0, "text"), "x" * 100_000)), encoding="utf-8")

    with pytest.raises(
        CommandError, match=re.escape("The text of claim 1 of section 1 has 100,000 characters; the limit is 1,500.")
    ):
        call_command("submit_article", str(path), "--as", "editor", stdout=StringIO())
    assert Article.objects.count() == 0


def test_intake_accepts_texts_at_their_limits(editor):
    payload = payload_with(("sections", 0, "claims", 0, "text"), "x" * CLAIM_MAX_CHARS)
    payload["article"]["lede"] = "y" * LEDE_MAX_CHARS

    revision = article_intake(payload=payload, user=editor)

    assert revision.content["lede"] == "y" * LEDE_MAX_CHARS


# The demo seed


def test_seed_demo_refuses_over_long_demo_text_with_a_clear_message_and_loads_nothing(tmp_path, monkeypatch):
    for name in ("people.json", "content.json"):
        (tmp_path / name).write_text((editorial.demo.DATA_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    content = json.loads((tmp_path / "content.json").read_text(encoding="utf-8"))
    content["articles"][0]["sections"][0]["claims"][0]["text"] = "x" * (CLAIM_MAX_CHARS + 1)
    (tmp_path / "content.json").write_text(json.dumps(content), encoding="utf-8")
    monkeypatch.setattr(editorial.demo, "DATA_DIR", tmp_path)

    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", stdout=StringIO())

    slug = content["articles"][0]["slug"]
    assert str(refused.value) == (
        f"The demo content is not valid, so nothing was loaded. Demo article “{slug}”: "
        f"The text of claim 1 of section 1 has {CLAIM_MAX_CHARS + 1:,} characters; the limit is {CLAIM_MAX_CHARS:,}."
    )
    assert (Article.objects.count(), Reference.objects.count()) == (0, 0)
