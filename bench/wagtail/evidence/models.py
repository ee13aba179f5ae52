"""Page models of the Wagtail comparison site: a home page, an index and the evidence article page."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from .blocks import ReferenceBlock, SectionBlock


class HomePage(Page):
    """The site root, as `wagtail start` makes one."""

    subpage_types = ["evidence.ArticleIndexPage"]


class ArticleIndexPage(Page):
    """/articles/: puts the article at the same depth of URL as the project's reader page."""

    parent_page_types = ["evidence.HomePage"]
    subpage_types = ["evidence.EvidenceArticlePage"]


class EvidenceArticlePage(Page):
    """One medical question answered by sections of cited claims, with a numbered reference list.

    The page title is the reader's question (Wagtail's title field); `headline` is the article's
    own title. Everything else is a field or a StreamField, stored in the page's row and its
    revisions, and rendered from them on every request.
    """

    headline = models.CharField(max_length=500)
    specialty = models.CharField(max_length=200, blank=True)
    lede = models.TextField()
    plain_lede = models.TextField(blank=True)
    sections = StreamField([("section", SectionBlock())])
    references = StreamField([("reference", ReferenceBlock())], blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("headline"),
        FieldPanel("specialty"),
        FieldPanel("lede"),
        FieldPanel("plain_lede"),
        FieldPanel("sections"),
        FieldPanel("references"),
    ]
    parent_page_types = ["evidence.ArticleIndexPage"]
    subpage_types = []

    @property
    def question(self) -> str:
        return self.title
