"""Write the demo LDN article's live revision document to a JSON file.

Run with the project's own environment (its virtualenv and DATABASE_URL pointing at a seeded
database): the Wagtail comparison page is built from exactly the content our reader page
renders, so the two pages have the same shape and the same words.

    python bench/wagtail/export_document.py OUT.json [SLUG]
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SLUG = "low-dose-naltrexone-chronic-pain"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    out, slug = Path(argv[1]), argv[2] if len(argv) == 3 else DEFAULT_SLUG
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from editorial.models import ArticleWorkflow

    document = ArticleWorkflow.objects.get(article__slug=slug).live_revision.content
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(document.get('sections', []))} sections)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
