"""BibTeX (.bib), read and written with bibtexparser 2.

Text fields (titles, names, journals, volume and pages) are LaTeX, decoded to
Unicode: `{\\"o}` is "ö" and braces that protect capitals go. Identifiers, URLs
and years are taken nearly verbatim, because in a URL "%" and "~" are
characters, not LaTeX.
Entries whose citation key repeats an earlier one are read like any other:
keys are labels, not identities, and the importer matches on DOI and PMID.
"""

import re

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    NormalizeFieldKeys,
    SeparateCoAuthors,
)
from bibtexparser.middlewares.names import InvalidNameError, NameParts, parse_single_name_into_parts
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    String,
)
from bibtexparser.writer import BibtexFormat

from references.formats.csl import csl_type
from references.formats.kinds import KINDS
from references.formats.names import ET_AL, given_or_initials, is_initials, names_of, organisation, person
from references.formats.records import ParsedEntry, ReferenceFileError, make_entry, read_year

# Where the source is, in order of preference: the journal, the book of a chapter or paper,
# then the body that issued a report or guideline.
_SOURCES = ("journal", "journaltitle", "booktitle", "institution", "school", "organization", "publisher")
# An entry opened with no citation key: "@article{" and then, on the same line or the next, "author = ".
# (@string blocks are "name = value" by design.)
_KEYLESS = re.compile(r"(@\s*(?!(?:string|preamble|comment)\b)[A-Za-z]+\s*\{)(\s*[A-Za-z][\w\-]*\s*=)", re.IGNORECASE)
_URL_MACRO = re.compile(r"\\url\{([^{}]*)\}")
_ESCAPED = re.compile(r"\\([_%&#$])")
_DASHES = re.compile(r"\s*(?:--+|[\u2013\u2014])\s*")
# LaTeX's special characters, and the pairs it turns into dashes and curly quotes: text
# without any is the same decoded, and text we write escapes them.
_LATEX_MARKUP = re.compile(r"[\\{}$%~&^_#]|--|``|''|[?!]`")
_LATEX_SPECIALS = re.compile(r"[\\{}%&#_$~^]")
# What only a LaTeX reader reads right: macros, math and the special characters. Text without any
# is braces and ligatures, read by `_braces_and_ligatures`.
_NEEDS_A_LATEX_READER = re.compile(r"[\\$%&#_^~]")
_LIGATURES = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "?`": "\u00bf", "!`": "\u00a1"}
_LIGATURE = re.compile("|".join(re.escape(ligature) for ligature in _LIGATURES))
_LATEX_LIGATURES = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)")
_LATEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_EXTENDED_NAME = re.compile(r"^\s*(?:family|given|prefix|suffix)\s*=", re.IGNORECASE)
_UNESCAPED_AMPERSAND = re.compile(r"(?<!\\)&")
_ANGLE_BRACKETS = re.compile(r"\\text(less|greater)(?![A-Za-z])(?:\{\}|\s*)")
_HTML_SCRIPT = re.compile(r"<(sub|sup)>([^<>]*)</\1>", re.IGNORECASE)
_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_:.\-]+")
# The BibTeX entry type of what we write, by the CSL type that one rule (csl_type) gives each
# reference, and the field its source goes in.
_ENTRY_TYPES = {
    "article-journal": ("article", "journal"),
    "book": ("book", "publisher"),
    "chapter": ("incollection", "booktitle"),
    "thesis": ("phdthesis", "school"),
    "report": ("techreport", "institution"),
    "webpage": ("online", "publisher"),
}
_OTHER_ENTRY_TYPE = ("misc", "publisher")
# The type of work each BibTeX (and biblatex) entry type is, for the ones we keep apart.
_WORK_TYPES = {
    **{entry_type: work_type for work_type, (entry_type, _) in _ENTRY_TYPES.items()},
    **dict.fromkeys(("booklet", "mvbook", "collection", "proceedings"), "book"),
    **dict.fromkeys(("inbook", "inproceedings", "conference", "incollection", "inreference"), "chapter"),
    **dict.fromkeys(("mastersthesis", "thesis"), "thesis"),
    **dict.fromkeys(("report", "manual", "standard"), "report"),
    **dict.fromkeys(("electronic", "www", "url"), "webpage"),
}
# Math is decoded to text too (the Greek letter alpha for "$\\alpha$"), after simple sub- and
# superscripts are made Unicode.
_LATEX = LatexDecodingMiddleware(keep_math_mode=False)
_MATH = re.compile(r"(?<!\\)\$([^$]+)\$")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(.))")
_SUPERSCRIPTS = ("0123456789+-=()n", str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ"))
_SUBSCRIPTS = ("0123456789+-=()", str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"))
# A name with one comma and nothing BibTeX reads specially (braces, escapes), whose parts are
# what BibTeX's own splitting gives ("van der Berg, Jan": the family name is all before the comma).
_FAMILY_COMMA_GIVEN = re.compile(r"^[^,{}\\]*[^\s,{}\\][^,{}\\]*,\s*[^\s,{}\\][^,{}\\]*$")
_DELIMITER = re.compile(r'[{}"]')
_MACRO_NAME = re.compile(r"[^\s{}\"#,=]+")
# The month macros every BibTeX style defines.
_MONTHS = {
    name[:3].lower(): name
    for name in (
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    )
}
# Our own field for the evidence kind: BibTeX has none, and styles ignore fields they do not know.
KIND_FIELD = "evidencekind"


def parse(text: str) -> list[ParsedEntry]:
    """Read every entry of a BibTeX file; @string, @preamble and @comment blocks are used or skipped.

    Raises ReferenceFileError when the file ends inside an entry (it is truncated).
    """
    library, warnings = _parsed(text)
    entries = []
    for block in library.blocks:
        if not isinstance(block, Entry | ParsingFailedBlock) or _is_repeated_string(block):
            continue
        number, line = len(entries) + 1, block.start_line + 1
        if isinstance(block, Entry):
            entries.append(_entry(number, line, block, warnings.get(block.start_line, [])))
            continue
        if _runs_to_the_end(block, text):
            raise ReferenceFileError(f"The file ends inside entry {number} (line {line}): it looks truncated.")
        entries.append(ParsedEntry(number=number, line=line, error=_failure(block)))
    return entries


def dump(items: list[tuple[str, dict]]) -> str:
    """Write (key, values) pairs as BibTeX in UTF-8, keys made safe and unique."""
    keys, entries = set(), []
    for number, (key, values) in enumerate(items, start=1):
        safe = _UNSAFE_KEY.sub("", key) or f"ref{number}"
        unique, copy = safe, 1
        while unique in keys:
            copy += 1
            unique = f"{safe}-{copy}"
        keys.add(unique)
        entries.append(_bibtex_entry(unique, values))
    layout = BibtexFormat()
    layout.indent = "  "
    layout.block_separator = "\n"
    # The library is built here and thrown away, so the writer may change it rather than copy it.
    unparse_stack = bibtexparser.middlewares.default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(Library(entries), unparse_stack=unparse_stack, bibtex_format=layout)


def _parsed(text: str) -> tuple[Library, dict[int, list[str]]]:
    """The file's blocks with strings resolved, field names in lower case and names split into parts,
    and the warnings of each entry by the line it starts on.

    bibtexparser sets an entry whose key repeats an earlier one aside, unparsed;
    we give each such entry a key of its own first so that it is read like the rest.
    An entry with no key at all (EndNote writes "@article{" then the fields) gets one
    too. An entry giving a field twice keeps the first, with a warning, unless the
    field is its title and the two differ: then which paper it is cannot be told.
    """
    text = _KEYLESS.sub(lambda match: f"{match.group(1)}keyless-{match.start()},{match.group(2)}", text)
    split = bibtexparser.parse_string(text, parse_stack=[])
    blocks, warnings = [], {}
    for index, block in enumerate(split.blocks):
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
            block = block.ignore_error_block
            block.key = f"{block.key}\n{index}"  # no citation key has a line break
        elif isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
            entry, repeated = _first_of_each_field(block.ignore_error_block)
            if "title" not in repeated:
                block = entry
                names = ", ".join(f"“{name}”" for name in repeated)
                plural = "s" if len(repeated) > 1 else ""
                if repeated:
                    warnings[entry.start_line] = [f"gives the field{plural} {names} more than once; the first is used."]
        blocks.append(block)
    for line, sentences in _resolve_expressions(blocks).items():
        warnings.setdefault(line, []).extend(sentences)
    library = Library(blocks, fail_on_duplicate_key=False)
    stack = [
        NormalizeFieldKeys(),
        # Each name is split into its parts by `_names`, which knows how it was written: a name that
        # cannot be read refuses the entry among the authors, and leaves out the editors among them.
        SeparateCoAuthors(name_fields=("author", "editor")),
    ]
    for middleware in stack:
        library = middleware.transform(library)
    return library, warnings


def _resolve_expressions(blocks: list) -> dict[int, list[str]]:
    """Give every @string and field its value, as BibTeX would: pieces joined by "#", @string and month
    macros replaced (names in any case, later definitions winning), and the braces or quotes around
    the whole gone (a title's inner braces stay, for `_text`).

    A field that names a macro the file never defines is left out, with a warning
    for its entry (by the line it starts on); a value that is no such expression
    (unbalanced, or text outside braces and quotes) is left as written.
    """
    macros, warnings = dict(_MONTHS), {}
    for block in blocks:
        if isinstance(block, String):
            value, undefined = _expression(block.value, macros)
            if value is not None and not undefined:
                macros[block.key.lower()] = value
                block.value = "{" + value + "}"
        elif isinstance(block, Entry):
            kept = []
            for field in block.fields:
                value, undefined = _expression(field.value, macros)
                if undefined:
                    names = ", ".join(f"“{name}”" for name in undefined)
                    warnings.setdefault(block.start_line, []).append(
                        f"gives its “{field.key}” as {names}, which the file never defines; it is left out."
                    )
                    continue
                field.value = value if value is not None else _unenclosed(field.value)
                kept.append(field)
            block.fields = kept
    return warnings


def _unenclosed(raw):
    """A value that is no expression, without the braces or quotes around it, if it has them."""
    if isinstance(raw, str) and len(raw) >= 2 and (raw[0], raw[-1]) in (("{", "}"), ('"', '"')):
        return raw[1:-1]
    return raw


def _expression(raw, macros: dict[str, str]) -> tuple[str | None, list[str]]:
    """The value of one BibTeX value expression, and the macros it names that are not defined.

    None when `raw` is not an expression (not text, or unbalanced): it is then left as written.
    """
    if not isinstance(raw, str):
        return None, []
    pieces, undefined, position, text = [], [], 0, raw.strip()
    while position < len(text):
        piece, position = _piece(text, position)
        if piece is None:
            return None, []
        kind, value = piece
        if kind == "macro" and not value.isdigit():
            if value.lower() not in macros:
                undefined.append(value)
                continue
            value = macros[value.lower()]
        pieces.append(value)
    return "".join(pieces), undefined


def _piece(text: str, start: int) -> tuple[tuple[str, str] | None, int]:
    """The piece of an expression at `start` ("{…}", "\"…\"", or a macro name or number) and where the
    next begins, past the "#" joining them; None when the text there is not a piece."""
    opening = text[start]
    if opening in '{"':
        depth, end = (1 if opening == "{" else 0), None
        for match in _DELIMITER.finditer(text, start + 1):  # only braces and quotes change anything
            index, char = match.start(), match.group()
            if text[index - 1] == "\\":  # an escaped brace or quote is text
                continue
            depth += 1 if char == "{" else -1 if char == "}" else 0
            if depth < 0:
                return None, start
            if depth == 0 and (opening == "{" or char == '"'):
                end = index + 1
                break
        if end is None:
            return None, start
        piece = ("text", text[start + 1 : end - 1])
    else:
        end = text.find("#", start)
        end = len(text) if end == -1 else end
        name = text[start:end].strip()
        if not _MACRO_NAME.fullmatch(name):
            return None, start
        piece = ("macro", name)
    rest = text[end:].lstrip()
    if not rest:
        return piece, len(text)
    if rest[0] != "#":
        return None, start
    return piece, len(text) - len(rest[1:].lstrip())


def _first_of_each_field(entry: Entry) -> tuple[Entry, list[str]]:
    """The entry with the first of each repeated field, and the names repeated (the title only when the
    values differ: a title given twice the same is no doubt about the paper)."""
    fields, seen, repeated = [], {}, []
    for field in entry.fields:
        key = field.key.lower()
        if key in seen:
            if (key != "title" or seen[key] != field.value) and field.key not in repeated:
                repeated.append(field.key)
            continue
        seen[key] = field.value
        fields.append(field)
    return Entry(entry.entry_type, entry.key, fields, start_line=entry.start_line, raw=entry.raw), repeated


def _runs_to_the_end(block: ParsingFailedBlock, text: str) -> bool:
    """Whether bibtexparser gave up on the block at the end of the file (it reports where it stopped)."""
    end = getattr(block.error, "end_index", None)
    return isinstance(block.error, BlockAbortedException) and (end is None or end >= len(text.rstrip()))


def _is_repeated_string(block) -> bool:
    return isinstance(block, DuplicateBlockKeyBlock) and not isinstance(block.ignore_error_block, Entry)


def _failure(block: ParsingFailedBlock) -> str:
    if isinstance(block, DuplicateFieldKeyBlock):
        names = ", ".join(f"“{key}”" for key in sorted(block.duplicate_keys))
        return f"gives the field{'s' if len(block.duplicate_keys) > 1 else ''} {names} more than once."
    if isinstance(block, MiddlewareErrorBlock) and isinstance(block.error, InvalidNameError):
        return f"has an author name that could not be read: “{block.error.name}”."
    if isinstance(block.error, BlockAbortedException):
        return "could not be read: a brace, quote or comma in it is out of place."
    return f"could not be read: {block.error}"


def _entry(number: int, line: int, entry: Entry, warnings: list[str]) -> ParsedEntry:
    fields = {field.key: field.value for field in entry.fields}
    values, problems = {}, []
    values["work_type"] = _WORK_TYPES.get(entry.entry_type.lower())
    values["title"] = _text(fields.get("title"))
    if not values["title"]:
        problems.append("has no title.")
    try:
        names = _names(fields.get("author"))
    except InvalidNameError as error:
        problems.append(f"has an author name that could not be read: “{error.name}”.")
        names = []
    values["author_list"] = [name for name in names if name and name != ET_AL]
    values["authors_et_al"] = ET_AL in names
    try:
        values["editors"] = [name for name in _names(fields.get("editor")) if name and name != ET_AL]
    except InvalidNameError as error:  # the reference can do without its editors; BibTeX's "others" is dropped
        warnings.append(f"has an editor name that could not be read: “{error.name}”; the editors are left out.")
    values["source"] = next((_text(fields[name]) for name in _SOURCES if _text(fields.get(name))), "")
    try:
        values["year"] = read_year(_verbatim(fields.get("year")), _verbatim(fields.get("date")))
    except ValueError as problem:
        problems.append(str(problem))
    values["volume"] = _text(fields.get("volume"))
    values["issue"] = _text(fields.get("number"))
    values["pages"] = _DASHES.sub("-", _text(fields.get("pages")))  # "451--459" is a range, not a dash
    for name in ("doi", "pmid", "pmcid", "url"):
        values[name] = _verbatim(fields.get(name))
    if not values["pmid"] and _verbatim(fields.get("eprinttype")).lower() == "pubmed":
        values["pmid"] = _verbatim(fields.get("eprint"))  # biblatex's way of giving a PMID
    if (kind := _verbatim(fields.get(KIND_FIELD)).strip()) in KINDS:
        values["kind"] = kind
    return make_entry(number, line, values, problems, warnings)


def _text(value) -> str:
    """A text field's LaTeX as Unicode, by bibtexparser's own decoder (run on the one value, as on a @string).

    Only text fields are decoded: in a URL or DOI, "%" and "~" are characters, not LaTeX.
    """
    if not isinstance(value, str):
        return ""
    if not _LATEX_MARKUP.search(value):
        return value  # decoding takes pylatexenc most of a millisecond; plain text is most names and many titles
    if not _NEEDS_A_LATEX_READER.search(value):
        return _braces_and_ligatures(value)
    # A bare "&" is an alignment tab to LaTeX, dropped outside a table; in a journal's or a title's
    # words (ScienceDirect and Scopus write "Bioorganic & Medicinal Chemistry Letters") it is the word.
    value = _UNESCAPED_AMPERSAND.sub(r"\\&", value)
    # pylatexenc drops \textless and \textgreater; Mendeley writes publishers' "<sub>2</sub>" with them.
    value = _ANGLE_BRACKETS.sub(lambda match: "<" if match.group(1) == "less" else ">", value)
    if "$" in value:
        value = _MATH.sub(lambda match: "$" + _SCRIPT.sub(_script, match.group(1)) + "$", value)
    block = _LATEX.transform_block(String("value", value), Library())
    text = block.value if isinstance(block, String) else value
    text = _HTML_SCRIPT.sub(_html_script, text)
    # pylatexenc reads \textasciicircum as the modifier letter U+02C6; the text meant a caret.
    return text.replace("\u02c6", "^")


def _html_script(match: re.Match) -> str:
    """ "CO<sub>2</sub>" as "CO₂" when each character has a Unicode sub- or superscript, else as written."""
    tag, text = match.group(1).lower(), match.group(2)
    characters, table = _SUPERSCRIPTS if tag == "sup" else _SUBSCRIPTS
    return text.translate(table) if text and all(char in characters for char in text) else match.group(0)


def _braces_and_ligatures(value: str) -> str:
    """LaTeX without macros, math or special characters, as pylatexenc reads it but some fifty times faster:
    "--" and "---" are dashes, ``…'' curly quotes, ?` and !` inverted marks, and braces only group
    (so "-{}-" stays two hyphens)."""
    return _LIGATURE.sub(lambda match: _LIGATURES[match.group()], value).replace("{", "").replace("}", "")


def _script(match: re.Match) -> str:
    """A sub- or superscript in math as Unicode when each of its characters has one ("H_2O", "Ca^{2+}")."""
    marker, text = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    characters, table = _SUPERSCRIPTS if marker == "^" else _SUBSCRIPTS
    return text.translate(table) if text and all(char in characters for char in text) else match.group(0)


def _verbatim(value) -> str:
    """An identifier or number as written: without \\url{…}, braces or LaTeX escapes such as \\_."""
    if not isinstance(value, str):
        return ""
    return _ESCAPED.sub(r"\1", _URL_MACRO.sub(r"\1", value)).replace("{", "").replace("}", "")


def _names(texts) -> list:
    """The names of an author or editor field (already split at "and") as stored ones, in order.

    A name written in biblatex's extended form ("family=Lissa, given=Caspar, prefix=van",
    as Better BibTeX writes names with particles) is read by its keys; a comma left after a
    name ("Chen, H.,", as some Mendeley exports write) is dropped. Raises InvalidNameError
    for a name that is none of these (too many commas: "Gelman, A., Meng, X.-L.").
    """
    if not isinstance(texts, list):
        return []
    names = []
    for text in texts:
        text = text.strip().removesuffix(",").rstrip()
        if _EXTENDED_NAME.match(text):
            names.append(_extended_name(text))
        elif _FAMILY_COMMA_GIVEN.match(text):  # "Younger, Jarred W.", most names in most files: split here
            family, _, first = text.partition(",")
            names.append(_name(NameParts(first=first.split(), von=[], last=family.split(), jr=[]), with_comma=True))
        else:
            names.append(_name(parse_single_name_into_parts(text, strict=True), with_comma="," in text))
    return names


def _name(name: NameParts, *, with_comma: bool) -> dict | str | None:
    """One BibTeX name as a stored one.

    BibTeX's own name parts put "van der" with the family name; a name with no
    first name is an organisation, kept whole, or BibTeX's "others" (et al.).
    "Younger J", already Vancouver and written without a comma, reads to BibTeX as
    first name "Younger", last name "J"; written with one ("XIAO, Wenhong"), the
    family name is where the comma says, however short and capitalised it is.
    """
    first, family, jr = (_text(" ".join(part)) for part in (name.first, name.von + name.last, name.jr))
    if not first:
        if not family:
            return None
        return ET_AL if family == "others" else organisation(family)
    if not with_comma and not name.von and not jr and is_initials(family):
        return person(first, initials=family)
    return person(family, first, suffix=jr)


def _extended_name(text: str) -> dict | None:
    """A name in biblatex's extended form: "family=Lissa, given=Caspar, prefix=van, useprefix=true"."""
    parts = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        parts[key.strip().lower()] = _text(value.strip())
    family = " ".join(part for part in (parts.get("prefix", ""), parts.get("family", "")) if part)
    if not family:
        return None
    return person(family, parts.get("given", ""), suffix=parts.get("suffix", ""))


def _bibtex_entry(key: str, values: dict) -> Entry:
    entry_type, source_field = _ENTRY_TYPES.get(csl_type(values), _OTHER_ENTRY_TYPE)
    fields = [Field("title", "{" + _latex(values.get("title", "")) + "}")]  # inner braces keep its capitals
    names, et_al = names_of(values)
    if names:
        fields.append(Field("author", " and ".join([*map(_bibtex_name, names), *(["others"] if et_al else [])])))
    if values.get("editors"):
        fields.append(Field("editor", " and ".join(map(_bibtex_name, values["editors"]))))
    if values.get("source"):
        fields.append(Field(source_field, _latex(values["source"])))
    if values.get("year"):
        fields.append(Field("year", str(values["year"])))
    for name, field in (("volume", "volume"), ("issue", "number")):
        if values.get(name):
            fields.append(Field(field, _latex(values[name])))
    if values.get("pages"):
        fields.append(Field("pages", _latex(values["pages"]).replace("-", "--")))  # BibTeX's way of writing a range
    for name in ("doi", "pmid", "pmcid", "url"):
        if values.get(name):
            fields.append(Field(name, _url_safe(values[name])))
    if values.get("kind") in KINDS:
        fields.append(Field(KIND_FIELD, values["kind"]))
    return Entry(entry_type, key, fields)


def _bibtex_name(name: dict) -> str:
    """'Younger, Jarred W' or 'Younger, J. W.' ('Smith, Jr, John' with a suffix) for a person; an
    organisation braced so that BibTeX keeps it whole, commas and "and" included."""
    if "literal" in name:
        return "{" + _latex(name["literal"]) + "}"
    family = _latex(name["family"])
    if re.search(r"\band\b|,", family, re.IGNORECASE):  # braced, "and" is not a separator
        family = "{" + family + "}"
    given = _latex(given_or_initials(name))
    if name.get("suffix"):
        return f"{family}, {_latex(name['suffix'])}, {given}".rstrip(", ")
    return f"{family}, {given}".rstrip(", ")


def _latex(text: str) -> str:
    """Plain text as LaTeX that decodes back to the same text; non-ASCII letters stay as UTF-8."""
    escaped = _LATEX_SPECIALS.sub(lambda match: _LATEX_ESCAPES.get(match.group(), "\\" + match.group()), text)
    return _LATEX_LIGATURES.sub("{}", escaped)


def _url_safe(value: str) -> str:
    """An identifier or URL with the characters that would unbalance BibTeX braces percent-encoded."""
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
