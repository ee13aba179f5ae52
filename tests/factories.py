"""factory_boy factories for the content model and the people who work on it."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.models import Article, Citation, Claim, Section
from editorial.models import Reviewer
from editorial.roles import ADVISORY_BOARD, EDITORS, MANAGING_EDITORS
from references.models import Reference


def add_roles(*default_roles):
    """A post-generation hook putting the user in `roles=[...]`, else in `default_roles`."""

    def hook(user, create, extracted, **kwargs):
        if create:
            user.groups.add(*Group.objects.filter(name__in=extracted or default_roles))

    return factory.PostGeneration(hook)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    roles = add_roles()


class EditorFactory(UserFactory):
    is_staff = True
    roles = add_roles(EDITORS)


class ManagingEditorFactory(UserFactory):
    is_staff = True
    roles = add_roles(MANAGING_EDITORS)


class BoardMemberFactory(UserFactory):
    is_staff = True
    roles = add_roles(ADVISORY_BOARD)


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    user = factory.SubFactory(BoardMemberFactory)
    slug = factory.Sequence(lambda n: f"board-member-{n}")
    display_name = factory.Sequence(lambda n: f"Dr Member {n}")
    credentials = "MD"
    specialty = "Internal medicine"


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    kind = Reference.Kind.RESEARCH
    title = factory.Sequence(lambda n: f"A randomised trial of treatment {n}")
    authors = "Doe J, Roe R"
    source = "Journal of Clinical Examples"
    year = 2021
    doi = factory.Sequence(lambda n: f"10.5555/example.{n}")
    pmid = factory.Sequence(lambda n: str(30000000 + n))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    question = factory.Sequence(lambda n: f"Does treatment {n} help?")
    title = factory.Sequence(lambda n: f"Treatment {n} explained")
    slug = factory.Sequence(lambda n: f"treatment-{n}")
    lede = "A short answer for clinicians."
    plain_lede = "A short answer for patients."
    specialty = "General medicine"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    order = 0
    heading = factory.Sequence(lambda n: f"Section {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    section = factory.SubFactory(SectionFactory)
    order = 0
    text = factory.Sequence(lambda n: f"Claim number {n} is supported by evidence.")
    plain_text = factory.Sequence(lambda n: f"Plain claim {n}.")


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    claim = factory.SubFactory(ClaimFactory)
    reference = factory.SubFactory(ReferenceFactory)
    order = 0


def article_with_claims(*, sections: int = 4, claims_per_section: int = 5, references: int = 8) -> Article:
    """Build a whole article: `sections` times `claims_per_section` claims, each citing two references."""
    article = ArticleFactory()
    refs = ReferenceFactory.create_batch(references)
    n = 0
    for s in range(sections):
        section = SectionFactory(article=article, order=s)
        for c in range(claims_per_section):
            claim = ClaimFactory(section=section, order=c)
            CitationFactory(claim=claim, reference=refs[n % references], order=0)
            CitationFactory(claim=claim, reference=refs[(n + 1) % references], order=1)
            n += 1
    return article
