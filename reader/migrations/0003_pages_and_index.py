"""The editorial policy and disclaimer pages, written in our own words, and the initial index."""

from django.db import migrations

EDITORIAL_POLICY = """Every answer on this site is written by our editors and checked, claim by claim, by members of our medical advisory board before any reader sees it.

## How an answer is made

1. An editor writes the answer as short claims, each citing the published evidence behind it: guidelines, systematic reviews, trials and other research.
2. The editor submits the answer. Its exact words are frozen into a numbered revision with a fingerprint (a SHA-256 hash), so that what is reviewed can never change silently.
3. A managing editor assigns one or more members of the advisory board, physicians and pharmacists. Answers about doses usually need two.
4. Each reviewer checks that every claim is accurate, that the citations support it, that doses are right and that the plain-language wording says the same thing. They declare any conflict of interest for that answer.
5. Only when enough reviewers approve does the answer appear to readers. If they request changes, it goes back to the editor and starts again.

## Keeping answers current

Any change to a published answer, however small, goes through the same review before readers see it; until then they keep seeing the approved version. Every answer shows when its content last changed, when it was last reviewed and when the next review is due. If the evidence behind an answer is retracted or overtaken, we withdraw the answer until it has been reviewed again.

## Independence

Board members publish their standing conflicts of interest on their profiles and declare any conflict for each review. Nobody reviews an answer they wrote or edited.

## Corrections

If you believe something here is wrong, use the follow-up question form under the answer. Editors read every question."""

DISCLAIMER = """This answer is general information for education. It is written mainly for healthcare professionals and does not replace the judgement of a clinician who knows the patient. Check doses and recommendations against the primary literature, current guidelines and the product information before acting on them. If you are a patient, talk to your doctor or pharmacist before you start, stop or change any treatment."""


def create_pages(apps, schema_editor):
    EditorialPage = apps.get_model("reader", "EditorialPage")
    EditorialPage.objects.get_or_create(
        slug="editorial-policy", defaults={"title": "Editorial policy", "body": EDITORIAL_POLICY}
    )
    EditorialPage.objects.get_or_create(
        slug="disclaimer", defaults={"title": "Professional disclaimer", "body": DISCLAIMER}
    )


def remove_pages(apps, schema_editor):
    apps.get_model("reader", "EditorialPage").objects.filter(slug__in=["editorial-policy", "disclaimer"]).delete()


class Migration(migrations.Migration):
    dependencies = [("reader", "0002_search_index")]

    operations = [migrations.RunPython(create_pages, remove_pages)]
