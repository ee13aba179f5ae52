"""StreamField blocks of an evidence article: the shape of the project's revision document.

A section has a heading, an intro and its claims; a claim has an optional lead-in, its text, a
plain-language wording and the numbers of the references it cites. Each block renders through
its own template, the way Wagtail sites usually lay out StreamField content.
"""

from wagtail import blocks


class ClaimBlock(blocks.StructBlock):
    lead_in = blocks.CharBlock(required=False, max_length=200)
    text = blocks.TextBlock()
    plain_text = blocks.TextBlock(required=False)
    citations = blocks.ListBlock(blocks.IntegerBlock(min_value=1), required=False)

    class Meta:
        template = "evidence/blocks/claim.html"
        icon = "openquote"


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=255)
    intro = blocks.TextBlock(required=False)
    claims = blocks.ListBlock(ClaimBlock())

    class Meta:
        template = "evidence/blocks/section.html"
        icon = "doc-full"


class ReferenceBlock(blocks.StructBlock):
    authors = blocks.CharBlock(max_length=1000)
    title = blocks.CharBlock(max_length=1000)
    journal = blocks.CharBlock(required=False, max_length=500)
    year = blocks.IntegerBlock(required=False)
    doi = blocks.CharBlock(required=False, max_length=255)
    pmid = blocks.CharBlock(required=False, max_length=32)
    url = blocks.URLBlock(required=False)

    class Meta:
        template = "evidence/blocks/reference.html"
        icon = "link"
