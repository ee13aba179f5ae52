"""The reader follows the workflow: when what readers may see changes, its index, caches and problem reports follow."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from editorial.models import Reviewer, SignOff
from editorial.signals import public_status_changed, revision_went_live
from reader import cache
from reader.index import published_article_refresh
from reader.models import PublicSlug, PublishedArticle
from reader.prerendered import pages_changed
from reader.services import problem_reports_fix_by


@receiver(public_status_changed, dispatch_uid="reader.refresh_published_article")
def refresh_published_article(sender, article_id, **kwargs):
    published_article_refresh(article_id)


@receiver(revision_went_live, dispatch_uid="reader.fix_answered_problem_reports")
def fix_answered_problem_reports(sender, revision, approver, **kwargs):
    problem_reports_fix_by(revision=revision, approver=approver)


@receiver(post_save, sender=Reviewer, dispatch_uid="reader.refresh_pages_naming_the_reviewer")
def refresh_pages_naming_the_reviewer(sender, instance, created, raw=False, **kwargs):
    """A board member's name, credentials or address changed: the live pages they approved render afresh.

    Those pages name them under "Medically reviewed by" and link to their page.
    """
    if created or raw:
        return
    approved = SignOff.objects.filter(reviewer=instance, decision=SignOff.Decision.APPROVE).values("revision_id")
    naming = PublishedArticle.objects.filter(revision_id__in=approved)
    article_ids = list(naming.values_list("article_id", flat=True))
    if not article_ids:
        return
    pages_changed(PublishedArticle.objects.filter(article_id__in=article_ids))
    slugs = list(PublicSlug.objects.filter(article_id__in=article_ids).values_list("slug", flat=True))
    transaction.on_commit(lambda: cache.article_purge(slugs), robust=True)
