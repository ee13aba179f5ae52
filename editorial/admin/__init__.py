"""The admin side of the workflow: the article page's moves and status, board profiles, and the record.

The article editor itself lives in `articles.admin`; `editorial.admin.articles`
extends it with workflow controls, so that `articles` never depends on `editorial`.
Importing this package registers every model admin.
"""

from editorial.admin import articles, records, reviewers

__all__ = ["articles", "records", "reviewers"]
