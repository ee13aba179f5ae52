"""Programmatic intake: an article drafted elsewhere (say, by a writing tool) enters the workflow.

The payload is one article with the references it cites, as JSON:

    {
      "references": [{"key": "younger-2013", "kind": "trial", "title": "...", "authors": "...",
                      "source": "...", "year": 2013, "doi": "10.1002/art.37734", "pmid": "23359310"}],
      "article": {"slug": "...", "question": "...", "title": "...", "lede": "...", "plain_lede": "...",
                  "specialty": "...",
                  "sections": [{"heading": "...", "level": 2, "intro": "",
                                "claims": [{"lead_in": "", "text": "...", "plain_text": "",
                                            "certainty": "moderate", "strength": "conditional",
                                            "cites": ["younger-2013"]}]}]}
    }

A claim's `certainty` and `strength` (its GRADE evidence grade) are optional.

It enters at Submitted: the working copy is made to match the payload and a
revision is submitted, in one transaction, as the given user.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article, Certainty, Claim, Section, Strength
from articles.services import article_sync
from config.history import acting_as
from editorial.corrections import ChangeType
from editorial.models import Revision
from editorial.services import article_submit
from references.services import reference_upsert

REQUIRED_ARTICLE_FIELDS = ("slug", "question", "title", "lede", "specialty", "sections")


class IntakeError(Exception):
    """The payload is not a valid article; the message lists every problem found."""


def intake_problems(payload: dict) -> list[str]:
    """Return every structural problem in `payload`, as sentences; empty when it is well formed."""
    if not isinstance(payload, dict) or not isinstance(payload.get("article"), dict):
        return ["The file must be a JSON object with an “article” object and a “references” list."]
    problems = []
    article = payload["article"]
    references = payload.get("references", [])
    keys = [reference.get("key") for reference in references if isinstance(reference, dict)]
    problems += [f"The article has no “{field}”." for field in REQUIRED_ARTICLE_FIELDS if not article.get(field)]
    problems += _too_long(article, Article, ARTICLE_TEXTS, "")
    if len(keys) != len(set(keys)) or None in keys:
        problems.append("Every reference needs a “key”, and keys must be unique.")
    for s, section in enumerate(article.get("sections") or [], start=1):
        if not (section.get("heading") or "").strip():
            problems.append(f"Section {s} has no heading.")
        problems += _too_long(section, Section, SECTION_TEXTS, f" of section {s}")
        for c, claim in enumerate(section.get("claims") or [], start=1):
            if not (claim.get("text") or "").strip():
                problems.append(f"Claim {c} of section {s} has no text.")
            problems += _too_long(claim, Claim, CLAIM_TEXTS, f" of claim {c} of section {s}")
            problems += _grade_problems(claim, f"Claim {c} of section {s}")
            problems += [
                f"Claim {c} of section {s} cites “{key}”, which is not in the references."
                for key in claim.get("cites", [])
                if key not in keys
            ]
    return problems


# The texts whose length is limited, and how a problem names them.
ARTICLE_TEXTS = {
    "question": "The question",
    "title": "The title",
    "lede": "The lede",
    "plain_lede": "The plain-language lede",
    "specialty": "The specialty",
}
SECTION_TEXTS = {"heading": "The heading", "intro": "The intro"}
CLAIM_TEXTS = {"lead_in": "The lead-in", "text": "The text", "plain_text": "The plain-language text"}


def _too_long(data: dict, model, texts: dict[str, str], where: str) -> list[str]:
    """A sentence for each text in `data` longer than its field allows, before anything is written."""
    problems = []
    for field, name in texts.items():
        value, limit = data.get(field), model._meta.get_field(field).max_length
        if isinstance(value, str) and len(value) > limit:
            problems.append(f"{name}{where} has {len(value):,} characters; the limit is {limit:,}.")
    return problems


def _grade_problems(claim: dict, name: str) -> list[str]:
    """A sentence for each part of a claim's optional GRADE grade that the model would refuse."""
    certainty, strength = claim.get("certainty", ""), claim.get("strength", "")
    problems = []
    if certainty not in ("", *Certainty.values):
        problems.append(f"{name} has the certainty “{certainty}”; it is one of {', '.join(Certainty.values)}.")
    if strength not in ("", *Strength.values):
        problems.append(f"{name} has the strength “{strength}”; it is one of {', '.join(Strength.values)}.")
    elif strength and not certainty:
        problems.append(f"{name} has a strength of recommendation but no certainty of evidence.")
    return problems


@transaction.atomic
def article_intake(*, payload: dict, user) -> Revision:
    """Write the payload's references and article, then submit it for review as `user`."""
    problems = intake_problems(payload)
    if problems:
        raise IntakeError(" ".join(problems))
    with acting_as(user):
        try:
            references = {entry["key"]: reference_upsert(data=entry) for entry in payload.get("references", [])}
            article = article_sync(data=payload["article"], references=references)
        except ValidationError as error:
            raise IntakeError("; ".join(error.messages)) from error
        # An intake brings words from outside the desk: editorial changes, unless an editor submits them again.
        return article_submit(
            article=article, user=user, source=Revision.Source.INTAKE, change_type=ChangeType.EDITORIAL
        )
