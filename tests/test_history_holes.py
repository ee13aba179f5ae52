"""History without holes: every write to a tracked model leaves a history row that names a person.

django-simple-history writes its rows from the model's save and delete signals, so a
`QuerySet.update()` or `bulk_update()` changes a tracked row and leaves no trace. The first
test reads the product's source and finds every such call on a tracked model.

Why reading the source, and not watching the SQL of a workflow run: a runtime check sees only
the paths some test happens to walk, and an UPDATE "not accompanied by a history row" is hard
to pair with its row once saves, parking and version counting interleave in one transaction.
The syntax tree sees every path, including the admin action or command nobody has run yet, and
points at the line. It is precise where it has to be: a call counts as a queryset write only
when its receiver goes through a manager (`.objects`, a reverse accessor such as
`article.sections`), a queryset method (`.filter()`, `.all()`…), a local name bound to one, or
an admin action's `queryset`; `dict.update` and `set.update` never do. `bulk_update` exists on
managers alone, so every call to it counts.

The rest: each management command that writes tracked rows names its user in them, and changes
to an account's groups and staff or superuser status are tracked with who made them.
"""

import ast
from contextlib import contextmanager
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands.changepassword import Command as ChangePasswordCommand
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands
from django.db.models import Max
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from config.history import acting_as
from editorial.roles import MANAGING_EDITORS
from editorial.services import article_hold, article_submit
from editorial.tasks import schedule_run
from tests.factories import ManagingEditorFactory, ReferenceFactory, ReviewerFactory, UserFactory
from tests.test_lifecycle_jobs import SOON, waiting_to_go_live
from tests.test_retractions import SAMPLE as RETRACTION_WATCH_SAMPLE
from tests.test_workflow_commands import PAYLOAD, in_days, write_payload
from tests.workflow_helpers import approved, citable_article, under_review

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).parent / "samples" / "references"

# The queryset writes to tracked models that leave no history row on purpose, each with its reason.
# Keyed by file and function, so that a new call anywhere else fails the test, and an entry whose
# call has gone fails it too.
WRITES_WITHOUT_HISTORY = {
    ("articles/services.py", "article_version_bump"): (
        "Counts a save as a new version: `version` is left out of the article's history, and "
        "`updated_at` is a stamp each history row carries as its own date. The save's content "
        "changes have written their own history rows before it runs."
    ),
    ("articles/ordering.py", "park"): (
        "Parks rows out of the way of the unique (parent, order) constraint inside the save's "
        "transaction; every parked row is then saved at its final position (a history row each) "
        "or deleted (a history row with its last real position), so no parked value is ever kept."
    ),
    ("editorial/demo/__init__.py", "_demo_backdate_last_review"): (
        "Demo data only: the seed backdates its own workflow row so that the demo shows an "
        "overdue review. No person made this change, and real dates come from the moves alone."
    ),
}

MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager", "history"}
QUERYSET_METHODS = {
    "all",
    "exclude",
    "filter",
    "get_queryset",
    "none",
    "order_by",
    "prefetch_related",
    "select_for_update",
    "select_related",
    "using",
}


# Finding queryset writes in the source.


def tracked_models() -> list:
    return [model for model in apps.get_models() if hasattr(model._meta, "simple_history_manager_attribute")]


def tracked_names() -> dict:
    """The names by which code reaches a tracked table: model classes (and their history) and reverse accessors."""
    tracked = tracked_models()
    models = {model.__name__: model in tracked for model in apps.get_models()}
    models |= {getattr(model, model._meta.simple_history_manager_attribute).model.__name__: True for model in tracked}
    accessors = {
        field.remote_field.get_accessor_name()
        for model in tracked
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.many_to_one
    }
    accessors = {name for name in accessors if name and not name.endswith("+")}  # "+": no accessor at all
    return {"models": models, "accessors": accessors}


def _chain(node):
    """The attribute names along a receiver, outermost last, and the name it starts from."""
    attributes = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return list(reversed(attributes)), node.id if isinstance(node, ast.Name) else None


class QuerysetWrites(ast.NodeVisitor):
    """Collect `(function, line)` of each `.update()` / `.bulk_update()` that writes a tracked model's table."""

    def __init__(self, names: dict):
        self.names, self.found, self.scopes = names, [], []

    def visit_FunctionDef(self, node):
        bound = {}
        for child in ast.walk(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        bound[target.id] = child.value
        parameters = {argument.arg for argument in node.args.args + node.args.kwonlyargs}
        self.scopes.append((node.name, bound, parameters))
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        func = node.func
        is_write = isinstance(func, ast.Attribute) and func.attr in ("update", "bulk_update")
        if is_write and (func.attr == "bulk_update" or self._is_tracked_queryset(func.value, depth=0)):
            self.found.append((self.scopes[-1][0] if self.scopes else "<module>", node.lineno))
        self.generic_visit(node)

    def _is_tracked_queryset(self, receiver, *, depth: int) -> bool:
        attributes, root = _chain(receiver)
        models = self.names["models"]
        if root in models and attributes[:1] and attributes[0] in MANAGER_ATTRIBUTES:
            return models[root]  # a model class we know: tracked or not
        if any(name in self.names["accessors"] for name in attributes):
            return True
        if MANAGER_ATTRIBUTES & set(attributes) or QUERYSET_METHODS & set(attributes):
            return True  # a manager or queryset of a model this cannot name (`model.objects`): count it
        _, bound, parameters = self.scopes[-1] if self.scopes else ("", {}, set())
        if not attributes and root == "queryset" and root in parameters:
            return True  # an admin action's queryset
        if not attributes and root in bound and depth < 3:
            return self._is_tracked_queryset(bound[root], depth=depth + 1)
        return False


def queryset_writes(source: str, names: dict) -> list:
    visitor = QuerysetWrites(names)
    visitor.visit(ast.parse(source))
    return visitor.found


def is_ours(folder: Path) -> bool:
    """An app of the project's own, not a library (the virtual environment is a hidden folder)."""
    return folder.is_relative_to(ROOT) and not folder.relative_to(ROOT).parts[0].startswith(".")


def product_sources():
    """Every module of the project's own apps (any app added later too) and of its settings package."""
    folders = {Path(app.path) for app in apps.get_app_configs() if is_ours(Path(app.path))}
    files = {path for folder in folders | {ROOT / "config"} for path in folder.rglob("*.py")}
    for path in sorted(files):
        if "migrations" not in path.parts:
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_tracked_models_are_written_only_with_history_outside_the_allowed_helpers():
    names = tracked_names()
    found = {(path, function) for path, source in product_sources() for function, _ in queryset_writes(source, names)}

    assert sorted(found) == sorted(WRITES_WITHOUT_HISTORY)


def test_no_raw_sql_updates_a_tracked_table():
    tables = {model._meta.db_table for model in tracked_models()}
    tables |= {getattr(m, m._meta.simple_history_manager_attribute).model._meta.db_table for m in tracked_models()}
    statements = [
        (path, node.lineno)
        for path, source in product_sources()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for table in tables
        if f"update {table}" in " ".join(node.value.lower().replace('"', " ").split())
    ]

    assert statements == []


@pytest.mark.parametrize(
    ("source", "writes"),
    [
        ('Article.objects.filter(pk=1).update(version=F("version") + 1)', True),
        ("Article.history.filter(pk=1).update(history_user=None)", True),
        ("ArticleWorkflow._default_manager.select_for_update().update(state='x')", True),
        ("article.sections.update(intro='')", True),
        ("Section.objects.bulk_update(rows, ['order'])", True),
        ("model.objects.filter(pk__in=pks).update(order=0)", True),
        ("rows = Claim.objects.filter(section=s)\nrows.update(text='')", True),
        ("queryset.update(status='answered')", True),
        ("self.get_queryset(request).update(status='answered')", True),
        ("PublishedArticle.objects.filter(pk=1).update(search_vector=None)", False),
        ("StaticToken.objects.filter(device=d).update(token='')", False),
        ("values.update({'a': 1})", False),
        ("users = set()\nusers.update(ids)", False),
        ("vars().update(EMAIL_CONFIG)", False),
        ("document.update({key: value for key, value in items})", False),
    ],
)
def test_queryset_write_finder_tells_querysets_from_dicts_and_sets(source, writes):
    """Each snippet is read as the body of an admin action, `def action(self, request, queryset)`."""
    body = source.replace("\n", "\n    ")

    found = queryset_writes(f"def action(self, request, queryset):\n    {body}", tracked_names())

    assert bool(found) == writes


# Management commands name the person they act for.


@contextmanager
def history_written():
    """Collect `(historical model, username of its author)` for every history row written inside the block."""
    history_models = [getattr(model, model._meta.simple_history_manager_attribute).model for model in tracked_models()]
    last = {model: model.objects.aggregate(last=Max("history_id"))["last"] or 0 for model in history_models}
    rows = []
    yield rows
    for model, history_id in last.items():
        authors = model.objects.filter(history_id__gt=history_id).values_list("history_user__username", flat=True)
        rows += [(model.__name__, author) for author in authors]


def authors(rows) -> set:
    return {author for _, author in rows}


@pytest.mark.django_db
def test_submit_article_command_names_its_user_in_the_history(tmp_path, editor):
    with history_written() as rows:
        call_command("submit_article", write_payload(tmp_path, PAYLOAD), "--as", "editor", stdout=StringIO())

    assert authors(rows) == {"editor"}


@pytest.mark.django_db
def test_assign_reviewers_command_names_its_user_in_the_history(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    ReviewerFactory(slug="dr-test")

    with history_written() as rows:
        call_command("assign_reviewers", article.slug, "--reviewer", "dr-test", "--as", "managing", stdout=StringIO())

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_withdraw_article_command_names_its_user_in_the_history(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    reasons = ("--reason", "Safety notice.", "--public-reason", "A safety notice was issued.")

    with history_written() as rows:
        call_command("withdraw_article", article.slug, *reasons, "--as", "managing", stdout=StringIO())

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_hold_article_command_names_its_user_in_the_history(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    reasons = ("--reason", "Dosing error reported.", "--public-reason", "We are checking a dose.")

    with history_written() as rows:
        call_command("hold_article", article.slug, *reasons, "--as", "managing", stdout=StringIO())

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_release_article_command_names_its_user_in_the_history(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    article_hold(article=article, user=managing_editor, revision=revision, reason="x", public_reason="y")

    with history_written() as rows:
        call_command("release_article", article.slug, "--reason", "The dose was right.", "--as", "managing")

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_rereview_article_command_names_its_user_in_the_history(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with history_written() as rows:
        call_command("rereview_article", article.slug, "--note", "Yearly check.", "--as", "managing", stdout=StringIO())

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_schedule_article_command_names_its_user_in_the_history(editor, managing_editor):
    article = citable_article()
    under_review(article, editor, managing_editor)

    with history_written() as rows:
        call_command("schedule_article", article.slug, "--go-live", in_days(2), "--as", "managing", stdout=StringIO())

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_import_references_command_names_its_user_in_the_history(editor):
    with history_written() as rows:
        call_command("import_references", str(SAMPLES / "ldn.ris"), "--as", "editor", stdout=StringIO())

    assert authors(rows) == {"editor"}


@pytest.mark.django_db
def test_import_retractions_command_names_its_user_in_the_history(tmp_path):
    UserFactory(username="importer", is_superuser=True, is_staff=True)
    ReferenceFactory(doi="10.5555/example.migraine")
    path = tmp_path / "retractions.csv"
    path.write_text(RETRACTION_WATCH_SAMPLE, encoding="utf-8")

    with history_written() as rows:
        call_command("import_retractions", str(path), "--as", "importer", stdout=StringIO())

    assert authors(rows) == {"importer"}


@pytest.mark.django_db
def test_reindex_published_command_writes_only_the_untracked_reader_index(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)

    with history_written() as rows:
        call_command("reindex_published", stdout=StringIO())

    assert rows == []


@pytest.mark.django_db
def test_seed_demo_command_names_a_person_in_every_history_row():
    with history_written() as rows:
        call_command("seed_demo", stdout=StringIO())

    assert [row for row in rows if row[1] is None] == []


@pytest.mark.django_db
def test_createsuperuser_command_names_the_account_it_creates_as_its_author(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-password-1")

    with history_written() as rows:
        call_command(
            "createsuperuser", interactive=False, username="first", email="first@example.org", stdout=StringIO()
        )

    assert rows == [("HistoricalUser", "first")]  # nobody else was there: it made itself


@pytest.mark.django_db
def test_changepassword_command_writes_no_history_row_that_would_name_nobody(monkeypatch, editor):
    monkeypatch.setattr(ChangePasswordCommand, "_get_pass", lambda self, prompt="": "a-long-enough-password-1")

    with history_written() as rows:
        call_command("changepassword", "editor", stdout=StringIO())

    assert (rows, get_user_model().objects.get(pk=editor.pk).check_password("a-long-enough-password-1")) == ([], True)


# Every command is audited: it has a test above, or it writes no tracked row, for the reason given.
COMMANDS_AUDITED = {
    "assign_reviewers": test_assign_reviewers_command_names_its_user_in_the_history,
    "hold_article": test_hold_article_command_names_its_user_in_the_history,
    "release_article": test_release_article_command_names_its_user_in_the_history,
    "rereview_article": test_rereview_article_command_names_its_user_in_the_history,
    "schedule_article": test_schedule_article_command_names_its_user_in_the_history,
    "submit_article": test_submit_article_command_names_its_user_in_the_history,
    "withdraw_article": test_withdraw_article_command_names_its_user_in_the_history,
    "seed_demo": test_seed_demo_command_names_a_person_in_every_history_row,
    "import_references": test_import_references_command_names_its_user_in_the_history,
    "import_retractions": test_import_retractions_command_names_its_user_in_the_history,
    "reindex_published": test_reindex_published_command_writes_only_the_untracked_reader_index,
    "prerender_pages": "Stores rendered pages, derived data like the reader's index; no tracked row.",
    "evidence_flags_rebuild": "Rewrites the evidence flags, derived data like the citation index; no tracked row.",
    "createsuperuser": test_createsuperuser_command_names_the_account_it_creates_as_its_author,
    "changepassword": test_changepassword_command_writes_no_history_row_that_would_name_nobody,
    "run_periodic_tasks": "Only enqueues; the jobs' moves name a person (the scheduled go-live test below).",
    "workflow_status": "Reads the workflow; writes nothing.",
    "verify_ledger": "Reads the chain; writes nothing.",
    "audit": "Reads the served pages and the record; writes nothing (the page cache it fills is not tracked).",
    "database_roles": "Changes grants and owners, never a row.",
    "backup_drill": "Writes only to a scratch database it drops.",
}
# Django's and the libraries' own commands that write tracked rows (accounts) are audited above;
# the rest touch no tracked model (`migrate` writes baselines that say why they name nobody).
OTHERS_WRITING_TRACKED_ROWS = {"createsuperuser", "changepassword"}


def test_every_management_command_of_the_project_is_audited_for_the_person_it_names():
    ours = {config.name for config in apps.get_app_configs() if is_ours(Path(config.path))}
    commands = {name for name, app in get_commands().items() if app in ours}

    assert sorted(commands | OTHERS_WRITING_TRACKED_ROWS) == sorted(COMMANDS_AUDITED), (
        "A management command was added or removed: give a new one that writes tracked rows a test here "
        "that its history rows name a person (an --as user, see editorial/management/commands/_arguments.py), "
        "or say in COMMANDS_AUDITED why it writes none."
    )


# Accounts: roles and staff status are tracked with who changed them.


def account_form(user, **changes) -> dict:
    """The admin's account change form for `user` as its page shows it, with `changes` applied."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": f"{joined:%Y-%m-%d}",
        "date_joined_1": f"{joined:%H:%M:%S}",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [],
    }
    data |= {flag: "on" for flag in ("is_active", "is_staff", "is_superuser") if getattr(user, flag)}
    for field, value in changes.items():
        if value is False:
            data.pop(field, None)
        else:
            data[field] = "on" if value is True else value
    return data


def account_versions(user, *, after: int = 0) -> list:
    """The history rows of `user` after the row `after`, oldest first: type, author, flags and group names."""
    return [
        (
            row.history_type,
            row.history_user.username if row.history_user else None,
            row.is_staff,
            row.is_superuser,
            sorted(row.groups.values_list("group__name", flat=True)),
        )
        for row in user.history.filter(history_id__gt=after).order_by("history_id")
    ]


def last_version(user) -> int:
    return user.history.aggregate(last=Max("history_id"))["last"] or 0


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_making_someone_a_managing_editor_in_the_admin_records_who_and_the_groups_before_and_after(
    client, superuser, editor
):
    client.force_login(superuser)
    groups = [*editor.groups.values_list("pk", flat=True), Group.objects.get(name=MANAGING_EDITORS).pk]
    before, started = last_version(editor), timezone.now()

    response = client.post(reverse("admin:auth_user_change", args=[editor.pk]), account_form(editor, groups=groups))

    assert response.status_code == 302
    assert account_versions(editor, after=before) == [
        ("~", "root", True, False, ["Editors"]),
        ("~", "root", True, False, ["Editors", "Managing Editors"]),
    ]
    assert all(started <= row.history_date <= timezone.now() for row in editor.history.filter(history_id__gt=before))


@pytest.mark.django_db
def test_giving_staff_status_in_the_admin_records_who_and_the_flag_before_and_after(client, superuser):
    someone = UserFactory(username="someone", is_staff=False, date_joined=timezone.now().replace(microsecond=0))
    client.force_login(superuser)
    before = last_version(someone)

    response = client.post(reverse("admin:auth_user_change", args=[someone.pk]), account_form(someone, is_staff=True))

    assert response.status_code == 302
    assert account_versions(someone, after=before) == [("~", "root", True, False, [])]
    change = someone.history.latest().diff_against(someone.history.get(history_id=before))
    assert [(c.field, c.old, c.new) for c in change.changes] == [("is_staff", False, True)]


@pytest.mark.django_db
def test_adding_someone_to_a_group_from_the_groups_side_records_it_on_their_account(superuser, editor):
    managing = Group.objects.get(name=MANAGING_EDITORS)
    before = last_version(editor)

    with acting_as(superuser):
        managing.user_set.add(editor)
        managing.user_set.clear()

    assert account_versions(editor, after=before) == [
        ("~", "root", True, False, ["Editors", "Managing Editors"]),
        ("~", "root", True, False, ["Editors"]),
    ]


@pytest.mark.django_db
def test_signing_in_writes_no_account_history(client, editor):
    before = last_version(editor)

    response = client.post(reverse("admin:login"), {"username": "editor", "password": "correct horse battery staple"})

    assert (response.status_code, get_user_model().objects.get(pk=editor.pk).last_login is not None) == (302, True)
    assert account_versions(editor, after=before) == []


def test_account_history_never_copies_the_password_hash():
    history_fields = {field.name for field in get_user_model().history.model._meta.fields}

    assert {"password", "last_login"} & history_fields == set()


@pytest.mark.django_db
def test_account_history_page_in_the_admin_names_the_author_and_only_reads(client, superuser, editor):
    with acting_as(superuser):
        editor.is_superuser = True
        editor.save()
    version = editor.history.latest().history_id
    client.force_login(superuser)

    listing = client.get(reverse("admin:auth_user_history", args=[editor.pk]))
    posted = client.post(reverse("admin:auth_user_simple_history", args=[editor.pk, version]), {"is_staff": ""})

    assert (listing.status_code, posted.status_code) == (200, 405)
    assert "root" in listing.content.decode()
    assert get_user_model().objects.get(pk=editor.pk).is_staff is True


@pytest.mark.django_db
def test_scheduled_go_live_run_by_the_worker_names_who_set_the_schedule_in_the_history(editor, managing_editor):
    """`run_periodic_tasks` only enqueues; the worker's job moves the article in the scheduler's name."""
    waiting_to_go_live(editor, managing_editor)

    with history_written() as rows:
        schedule_run(now=timezone.now() + SOON)

    assert authors(rows) == {"managing"}


@pytest.mark.django_db
def test_an_account_without_history_gets_a_first_version_with_its_groups(superuser):
    """An account made before its history was tracked; the migration that begins it gives it a first row."""
    baseline = import_module("editorial.accounts.migrations.0003_account_history_baseline")
    with override_settings(SIMPLE_HISTORY_ENABLED=False):  # as before the history began
        someone = ManagingEditorFactory(username="someone")

    baseline.baseline(apps, None)

    assert account_versions(someone) == [("+", None, True, False, ["Managing Editors"])]
    assert someone.history.get().history_change_reason == "As the account stood when its history began"


@pytest.mark.django_db
def test_an_account_is_deactivated_never_deleted_in_the_admin(client, superuser, editor):
    client.force_login(superuser)

    answers = [
        client.get(reverse("admin:auth_user_delete", args=[editor.pk])).status_code,
        client.post(reverse("admin:auth_user_delete", args=[editor.pk]), {"post": "yes"}).status_code,
    ]
    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()

    still_there = get_user_model().objects.filter(pk=editor.pk).exists()
    assert (answers, "delete_selected" in changelist, still_there) == (
        [403, 403],
        False,
        True,
    )
