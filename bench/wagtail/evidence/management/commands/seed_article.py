"""Create (or re-create) the site tree and the evidence article from a revision document (JSON).

    python manage.py seed_article DOCUMENT.json

The document is the project's revision content for one article (bench/wagtail/export_document.py
writes it). The command makes a HomePage the site root, an "Answers" index at /articles/ and the
article under it, each published through a revision as an editor would, and prints the article's
path. Running it again replaces the article, so the page always matches the document given.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Page, Site

from evidence.models import ArticleIndexPage, EvidenceArticlePage, HomePage


class Command(BaseCommand):
    help = "Publish the evidence article page from a revision document (JSON file)."

    def add_arguments(self, parser):
        parser.add_argument("document", type=Path, help="the article's revision document, as JSON")

    def handle(self, *args, document: Path, **options):
        try:
            content = json.loads(document.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read the document {document}: {error}") from error
        with transaction.atomic():
            index = self._article_index(self._home_page())
            for stale in EvidenceArticlePage.objects.child_of(index).filter(slug=content["slug"]):
                stale.delete()
            article = EvidenceArticlePage(
                title=content["question"],
                slug=content["slug"],
                headline=content["title"],
                specialty=content.get("specialty") or "",
                lede=content["lede"],
                plain_lede=content.get("plain_lede") or "",
                sections=[("section", _section(section)) for section in content["sections"]],
                references=[("reference", _reference(reference)) for reference in _numbered(content)],
            )
            index.add_child(instance=article)
            article.save_revision().publish()
        _site_id, _root_url, path = article.get_url_parts()
        self.stdout.write(path)

    def _home_page(self) -> HomePage:
        """The site root as a HomePage: Wagtail's first migration leaves a plain "Welcome" page there."""
        site = Site.objects.get(is_default_site=True)
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = HomePage(title="Medically reviewed answers", slug="home-evidence")
            root.add_child(instance=home)
            home.save_revision().publish()
        previous = site.root_page
        site.root_page, site.site_name = home, "Medically reviewed answers"
        site.save()
        if previous.id != home.id and previous.specific_class is Page:
            previous.delete()
        return home

    def _article_index(self, home: HomePage) -> ArticleIndexPage:
        index = ArticleIndexPage.objects.child_of(home).filter(slug="articles").first()
        if index is None:
            index = ArticleIndexPage(title="Answers", slug="articles")
            home.add_child(instance=index)
            index.save_revision().publish()
        return index


def _numbered(content: dict) -> list[dict]:
    """The references in the order of their numbers: the page numbers them by position in its list."""
    return sorted(content.get("references", []), key=lambda reference: reference.get("number", 0))


def _section(section: dict) -> dict:
    return {
        "heading": section["heading"],
        "intro": section.get("intro") or "",
        "claims": [_claim(claim) for claim in section.get("claims", [])],
    }


def _claim(claim: dict) -> dict:
    return {
        "lead_in": claim.get("lead_in") or "",
        "text": claim["text"],
        "plain_text": claim.get("plain_text") or "",
        "citations": list(claim.get("citations", [])),
    }


def _reference(reference: dict) -> dict:
    return {
        "authors": reference.get("authors") or "",
        "title": reference["title"],
        "journal": reference.get("source") or "",
        "year": reference.get("year"),
        "doi": reference.get("doi") or "",
        "pmid": reference.get("pmid") or "",
        "url": reference.get("url") or "",
    }
