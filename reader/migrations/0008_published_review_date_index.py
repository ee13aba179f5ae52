"""An index on the review date, in the order home and the feed list articles: a page is the index's first rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reader", "0007_text_length_validators")]

    operations = [
        migrations.AddIndex(
            model_name="publishedarticle",
            index=models.Index(fields=["-reviewed_at", "title"], name="reader_published_newest"),
        ),
    ]
