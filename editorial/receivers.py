"""The workflow follows the reference library and the articles: flagged evidence is news, and its flags stay in step."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article
from editorial import notifications
from editorial.evidence_flags import evidence_flag_retitle, evidence_flags_refresh_citing
from jobs.outbox import enqueue_with_commit
from references.models import MergedReference, Reference
from references.signals import references_flagged


@receiver(references_flagged, dispatch_uid="editorial.tell_managing_editors_of_flagged_evidence")
def tell_managing_editors_of_flagged_evidence(sender, reference_ids, **kwargs):
    """With the flagging, enqueue the email telling managing editors which live articles cite them."""
    enqueue_with_commit(lambda: notifications.notify_managing_editors_of_flagged_evidence(reference_ids))


@receiver(post_save, sender=Reference, dispatch_uid="editorial.flag_evidence_on_reference_save")
def flag_evidence_of_reference(sender, instance, raw=False, created=False, **kwargs):
    """A reference's standing or notice date changed: recompute the flags of the live articles citing it.

    Whoever saves it (the admin, the retraction import, a merge filling the
    kept reference); a save that leaves the standing as it was read (a title
    corrected) moves no flag and costs nothing here. The articles citing it
    are found through the citation index, and only the flagged citations
    among theirs are read: a few queries per thousand live articles citing it.
    """
    if raw or created or not instance.standing_may_have_changed():
        return
    evidence_flags_refresh_citing(reference_ids=[instance.pk])


@receiver(post_delete, sender=Reference, dispatch_uid="editorial.flag_evidence_on_reference_delete")
def flag_evidence_of_deleted_reference(sender, instance, **kwargs):
    """A deleted reference flags nothing any more: the articles citing it follow."""
    evidence_flags_refresh_citing(reference_ids=[instance.pk])


@receiver(post_save, sender=MergedReference, dispatch_uid="editorial.flag_evidence_on_merge")
@receiver(post_delete, sender=MergedReference, dispatch_uid="editorial.flag_evidence_on_merged_id_delete")
def flag_evidence_of_merged_id(sender, instance, raw=False, **kwargs):
    """An id now leads to another reference, or (its reference deleted) to none: the articles citing it follow."""
    if not raw:
        evidence_flags_refresh_citing(reference_ids=[instance.merged_id])


@receiver(post_save, sender=Article, dispatch_uid="editorial.retitle_evidence_flag")
def retitle_evidence_flag(sender, instance, raw=False, created=False, **kwargs):
    """The list of flagged articles is ordered by title: the flag's copy follows the article's."""
    if not (raw or created):
        evidence_flag_retitle(article_id=instance.pk, title=instance.title)
