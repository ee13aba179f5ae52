"""The machinery of the URL sweep (tests/test_admin_sweep.py): walking the URLs, reading forms, spotting writes.

Nothing here knows the project's roles or its policy; the sweep's test module holds those.
"""

import copy
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# Spotting writes in the SQL a request ran.

# Writes that are bookkeeping of logging in, not changes to content: sessions, the last login
# time, and the login-throttling and second-factor tables.
BOOKKEEPING_TABLE_PREFIXES = ("django_session", "axes_", "otp_")
WRITE_STATEMENT = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?P<table>[\w.]+)"?', re.IGNORECASE)
LAST_LOGIN_ONLY = re.compile(r'^\s*UPDATE\s+"?auth_user"?\s+SET\s+"?last_login"?\s*=\s*[^,]*?\s+WHERE\s', re.I)
SAVEPOINT = re.compile(
    r'^\s*(?P<verb>SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT|RELEASE\s+SAVEPOINT)\s+"?(?P<name>\w+)"?', re.I
)


def tables_written(queries) -> tuple[str, ...]:
    """The tables the captured SQL changed and kept: login bookkeeping and rolled-back savepoints left out.

    A view that refuses after writing inside `transaction.atomic()` rolls its writes back
    (to a savepoint, within the test's transaction); those statements changed nothing.
    """
    writes, savepoints = [], {}
    for query in queries:
        sql = query["sql"]
        if savepoint := SAVEPOINT.match(sql):
            verb = savepoint["verb"].split()[0].upper()
            if verb == "SAVEPOINT":
                savepoints[savepoint["name"]] = len(writes)
            elif verb == "ROLLBACK":
                del writes[savepoints.get(savepoint["name"], 0) :]  # one made before the capture: all of it
            continue
        match = WRITE_STATEMENT.match(sql)
        if match and not LAST_LOGIN_ONLY.match(sql) and not match["table"].startswith(BOOKKEEPING_TABLE_PREFIXES):
            writes.append(match["table"])
    return tuple(dict.fromkeys(writes))


# Walking the URL configuration.

ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")
HOLE = "\x00{}\x00"


def url_patterns(resolver=None, chain=()):
    """Every URL pattern of the project, as the chain of patterns from the root that leads to it."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, (*chain, entry.pattern))
        else:
            yield (*chain, entry.pattern)


def template_of(chain) -> tuple[str, list[str]]:
    """The URL with a hole for each parameter, and the parameters' names (`_1`, `_2` for unnamed groups)."""
    text, names = "", []
    for pattern in chain:
        if isinstance(pattern, RoutePattern):

            def hole(match):
                names.append(match["name"])
                return HOLE.format(match["name"])

            text += ROUTE_PARAMETER.sub(hole, str(pattern))
        elif isinstance(pattern, RegexPattern):
            part, depth, start, unnamed = str(pattern).removeprefix("^").removesuffix("$"), 0, 0, 0
            pieces = []
            for position, char in enumerate(part):
                if char == "(" and (position == 0 or part[position - 1] != "\\"):
                    if depth == 0:
                        pieces.append(part[start:position])
                        start = position
                    depth += 1
                elif char == ")" and part[position - 1] != "\\":
                    depth -= 1
                    if depth == 0:
                        group = part[start : position + 1]
                        named = re.match(r"\(\?P<(\w+)>", group)
                        unnamed += not named
                        name = named[1] if named else f"_{unnamed}"
                        names.append(name)
                        pieces.append(HOLE.format(name))
                        start = position + 1
            pieces.append(part[start:])
            text += re.sub(r"\\(.)", r"\1", "".join(pieces))
    return "/" + text, names


def admin_model_of(template):
    match = re.match(r"/admin/(\w+)/(\w+)/", template)
    if not match:
        return None
    try:
        model = apps.get_model(match[1], match[2])
    except LookupError:
        return None
    return model if admin.site.is_registered(model) else None


# What a real user's browser posts.


class FormReader(HTMLParser):
    """The fields of a page's forms as a browser would submit them, and which ones a person can type in."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.typed: list[str] = []  # text inputs and text areas, in page order
        self.options: dict[str, list[str]] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "option" and self._select:
            self.options[self._select].append(attrs.get("value") or "")
            if "selected" in attrs:
                self.data[self._select].append(attrs.get("value") or "")
        name = attrs.get("name")
        if not name or "__prefix__" in name or "-empty-" in name:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value") or "on")
        elif tag == "input" and kind not in ("submit", "button", "file", "image", "reset"):
            self.data[name] = [attrs.get("value") or ""]
            if kind in ("text", "number", "email", "url", "date"):
                self.typed.append(name)
        elif tag == "textarea":
            self._textarea, self.data[name] = name, [""]
            self.typed.append(name)
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
            self.options[name] = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data.removeprefix("\n") if not self.data[self._textarea][0] else data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


UNTYPABLE = re.compile(r"(^|-)(slug|doi|pmid|pmcid|url|email|username|order|version|q|term|[A-Z_]+_FORMS)$")


def read_form(response) -> FormReader:
    reader = FormReader()
    reader.feed(response.content.decode(errors="replace"))
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader


def with_one_field_changed(form: FormReader) -> dict:
    """The form's data with the first field a person would type in changed; else a choice changed."""
    data = copy.deepcopy(form.data)
    for name in form.typed:
        if not UNTYPABLE.search(name) and "-" not in name:
            data[name] = [(data[name][0] + " (changed)").strip()]
            return data
    for name, options in form.options.items():
        others = [option for option in options if option and option not in data.get(name, [])]
        if others and name != "action":
            data[name] = [others[0]]
            return data
    return data


def as_a_copy(data: dict) -> dict:
    """Change-form data turned into a new object's: no inline rows, and unique fields made unique again."""
    copied = {}
    for name, values in data.items():
        if re.search(r"-\d+-", name):
            continue
        if name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            values = ["0"]
        elif name == "slug":
            values = [values[0] + "-copy"]
        elif name in ("doi", "pmid", "pmcid", "user"):
            values = [""]
        elif name == "order":
            values = [str(int(values[0] or 0) + 1000)]
        copied[name] = values
    return copied


class FormSource:
    """Reads, as a superuser, the admin forms that the sweep's POSTs are made of (each page once)."""

    def __init__(self, superuser):
        self.client = Client(raise_request_exception=False)
        self.client.force_login(superuser)
        self._cache = {}

    def page(self, url) -> FormReader:
        if url not in self._cache:
            with transaction.atomic():
                self._cache[url] = read_form(self.client.get(url))
                transaction.set_rollback(True)
        return self._cache[url]

    def change_form(self, model, object_id) -> FormReader:
        opts = model._meta
        return self.page(f"/admin/{opts.app_label}/{opts.model_name}/{object_id}/change/")


# Asking.

MALFORMED = ("None", "not-a-number")


@dataclass(frozen=True)
class Endpoint:
    url: str
    name: str  # the URL's name as the resolver gives it, or "(unnamed) <route>"
    params: dict
    template: str
    chain: tuple  # the URL patterns leading to it
    is_posted: bool  # malformed ids are asked with GET only, except on the version pages they once crashed
    is_malformed: bool  # an id that is `None`, a word or unknown: asked by fewer roles (MALFORMED_ID_ROLES)


@dataclass(frozen=True)
class Answer:
    role: str
    method: str
    url: str
    name: str
    params: dict
    form: str
    status: int
    tables: tuple
    error: str

    def describe(self) -> str:
        what = f"{self.method} {self.url} ({self.name}, {self.form})" if self.form else f"{self.method} {self.url}"
        outcome = f"{self.status}, wrote {', '.join(self.tables)}" if self.tables else f"{self.status}: {self.error}"
        return f"  {what} as {self.role}: {outcome}"


def ask(client, cookies, method, url, data=None):
    """One request in a savepoint that is rolled back: (response, tables written)."""
    client.cookies = copy.deepcopy(cookies)  # the session as it was at login, whatever the last request did
    connection.queries_log.clear()  # a full log (9,000 queries) would capture nothing
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, data or {}) if method == "POST" else client.get(url)
            if getattr(response, "streaming", False):  # a streamed body runs its queries as it is read
                response.streamed = b"".join(response.streaming_content)
        transaction.set_rollback(True)
    if len(captured) >= connection.queries_limit:
        raise AssertionError(f"{method} {url} ran {len(captured)} queries or more: too many to check for writes.")
    return response, tables_written(captured.captured_queries)
