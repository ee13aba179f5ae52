"""The reader follows the workflow: when what readers may see changes, its index, caches and problem reports follow."""

from django.dispatch import receiver

from editorial.signals import public_status_changed, revision_went_live
from reader.index import published_article_refresh
from reader.services import problem_reports_fix_by


@receiver(public_status_changed, dispatch_uid="reader.refresh_published_article")
def refresh_published_article(sender, article_id, **kwargs):
    published_article_refresh(article_id)


@receiver(revision_went_live, dispatch_uid="reader.fix_answered_problem_reports")
def fix_answered_problem_reports(sender, revision, approver, **kwargs):
    problem_reports_fix_by(revision=revision, approver=approver)
