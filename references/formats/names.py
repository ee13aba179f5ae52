"""Author names as the library stores them: an ordered list of persons and organisations.

A reference's authors are a list of names and a flag saying the list is
shortened ("et al."). Each name is a dict with only the keys it has:

- a person: {"family": "Younger", "given": "Jarred W", "initials": "JW",
  "suffix": "Jr", "orcid": "0000-0002-1825-0097"}; `family` always, `initials`
  whenever anything of the given names is known (derived from `given`, or all
  a source gave: "Younger JW" has initials and no given names);
- an organisation: {"literal": "Cancer Research UK"}, kept whole, commas and all.

"et al." is never a name: readers turn it into the flag, writers write it as
each format says (BibTeX's "others", a note elsewhere) or not at all.

A reference's editors (of the book a chapter is in, or of an edited book) are
a second list of the same names, with no string and no flag: no format gives
editors an "et al.", and no revision froze editors before they had structure.

The same list is also kept as one Vancouver string ("Younger JW, Cancer
Research UK, et al.", `vancouver_authors`) for search, plain lines and the
revisions frozen before names had structure. `names_from_vancouver` reads
such a string back; its reading is fixed (see docs/references.md): revisions
carry the structure only where it says more than the string does.
"""

import functools
import re

ET_AL = "et al."
# Words that mark a name as an organisation, so that "World Health Organization" is not
# read as the person "Organization WH", nor "Cancer Research UK" as "Cancer Research U K".
_ORGANISATION_WORDS = {
    "academy",
    "agency",
    "alliance",
    "association",
    "authority",
    "board",
    "center",
    "centre",
    "clinic",
    "collaboration",
    "collaborative",
    "collaborators",
    "college",
    "commission",
    "committee",
    "consortium",
    "council",
    "department",
    "federation",
    "foundation",
    "group",
    "hospital",
    "initiative",
    "institute",
    "investigators",
    "ministry",
    "network",
    "office",
    "organisation",
    "organization",
    "panel",
    "programme",
    "research",
    "service",
    "society",
    "trialists",
    "trust",
    "university",
}
SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV", "2nd", "3rd"}
PERSON_KEYS = ("family", "given", "initials", "suffix", "orcid")
_INITIAL_WORD = re.compile(r"^(?:[^\W\d_][.\-]*){1,4}$")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)


def person(family: str, given: str = "", *, initials: str = "", suffix: str = "", orcid: str = "") -> dict:
    """A person's name in the stored shape: blank parts left out, initials derived from the given names.

    A given name written as initials ("J. W.", "JW", "J.-P.") is initials only.
    """
    return dict(_person(family, given, initials, suffix, orcid))


@functools.lru_cache(maxsize=16384)
def _person(family: str, given: str, initials: str, suffix: str, orcid: str) -> tuple[tuple[str, str], ...]:
    """`person`, remembered: a file names the same people again and again, and a dict is copied cheaply."""
    family, given = _clean(family), _clean(given)
    if given and not initials and _given_is_initials(given, family):
        initials, given = _letters(given), ""
    initials = _clean(initials).replace(" ", "").replace(".", "") or initials_of(given)
    name = {"family": family, "given": given, "initials": initials, "suffix": _clean(suffix), "orcid": _clean(orcid)}
    return tuple((key, value) for key, value in name.items() if value)


def organisation(name: str) -> dict:
    return {"literal": _clean(name)}


def initials_of(given: str) -> str:
    """'John Wesley' → 'JW'; 'J. W.' → 'JW'; 'Jean-Paul' → 'JP'; 'Åsa' → 'Å'."""
    return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part and part[0].isalpha())


def is_initials(word: str) -> bool:
    """'JW', 'LÅ' and 'Ö' are initials; 'Younger', 'J.' and 'jw' are not."""
    return 1 <= len(word) <= 4 and word.isalpha() and word.isupper()


def is_organisation_name(text: str) -> bool:
    """Whether a name written without a comma names a body rather than a person."""
    return any(word.lower().strip(".(),") in _ORGANISATION_WORDS for word in text.split())


def name_from_display(text: str) -> dict | None:
    """One name as files write it: 'Family, Given[, Suffix]', 'Given Family', 'Family GI' or 'Family G.'.

    An organisation is kept whole: written with a trailing comma ("Mayo Clinic,",
    EndNote's way), recognised by a word such as "Society", or a single word.
    None for a blank name; ET_AL for "et al." (the caller sets the flag).
    """
    text = _clean(text)
    if not text:
        return None
    if is_et_al(text):
        return ET_AL
    if text.endswith(","):
        return organisation(text[:-1])  # "Mayo Clinic,", "University of California, San Francisco,"
    if "," in text:
        family, _, rest = text.partition(",")
        parts = [part.strip() for part in rest.split(",")]
        if not any(parts):
            return organisation(family)  # "Mayo Clinic,"
        given, suffix = parts[0], next((part for part in parts[1:] if part), "")
        if not suffix and (words := given.split()) and words[-1] in SUFFIXES and len(words) > 1:
            given, suffix = " ".join(words[:-1]), words[-1]
        return person(family, given, suffix=suffix)
    if is_organisation_name(text):
        return organisation(text)
    words = text.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1] in SUFFIXES:
        suffix, words = words[-1], words[:-1]
    if len(words) == 1:
        return organisation(text)  # one word: an organisation or a lone surname, kept whole
    *rest, last = words
    if _INITIAL_WORD.match(last) and _letters(last).isupper() and not rest[-1].isupper():
        return person(" ".join(rest), initials=_letters(last), suffix=suffix)  # "Younger JW", "Liu R."
    family = [last]
    while len(rest) > 1 and rest[-1].islower():  # "Jan van der Berg": the particles belong to the family name
        family.insert(0, rest.pop())
    return person(" ".join(family), " ".join(rest), suffix=suffix)


def names_from_display(texts) -> tuple[list[dict], bool]:
    """(names, et al.) from names as files write them, one per item; blanks skipped."""
    names, et_al = [], False
    for text in texts:
        name = name_from_display(text)
        if name == ET_AL:
            et_al = True
        elif name:
            names.append(name)
    return names, et_al


def vancouver_name(name: dict) -> str:
    """'Younger JW', 'Smith JA Jr', or an organisation whole."""
    if "literal" in name:
        return name["literal"]
    return " ".join(part for part in (name["family"], name.get("initials", ""), name.get("suffix", "")) if part)


def vancouver_authors(names: list[dict], et_al: bool = False) -> str:
    """The list as one Vancouver string: 'Younger JW, Cancer Research UK, et al.'."""
    return ", ".join([*(vancouver_name(name) for name in names), *([ET_AL] if et_al else [])])


def names_from_vancouver(authors: str) -> tuple[list[dict], bool]:
    """Read a stored Vancouver string back into (names, et al.).

    Each comma-separated part is a person when it ends in initials ("Younger JW",
    "Strand LÅ", "Smith JA Jr") and names no organisation; any other part is an
    organisation. "et al." anywhere sets the flag. This reading is frozen: it
    decides which revisions need the structure beside the string.
    """
    names, et_al = [], False
    for part in (authors or "").split(","):
        part = _clean(part)
        if not part:
            continue
        if is_et_al(part):
            et_al = True
            continue
        words = part.split(" ")
        suffix = ""
        if len(words) > 2 and words[-1] in SUFFIXES and is_initials(words[-2]):
            suffix, words = words[-1], words[:-1]
        if len(words) > 1 and is_initials(words[-1]) and not is_organisation_name(part):
            names.append(person(" ".join(words[:-1]), initials=words[-1], suffix=suffix))
        else:
            names.append(organisation(part))
    return names, et_al


def names_of(values: dict) -> tuple[list[dict], bool]:
    """The names of reference values or of a frozen reference document: the structure, else the string read."""
    if values.get("author_list"):
        return values["author_list"], bool(values.get("authors_et_al"))
    if values.get("authors"):
        return names_from_vancouver(values["authors"])
    return [], bool(values.get("authors_et_al"))


def given_or_initials(name: dict, *, dotted: bool = True) -> str:
    """A person's given names, else their initials: 'Jarred W', 'J. W.' (or 'J W' undotted)."""
    if name.get("given"):
        return name["given"]
    letters = list(name.get("initials", ""))
    return " ".join(f"{letter}." for letter in letters) if dotted else " ".join(letters)


def is_et_al(text: str) -> bool:
    return _clean(text).lower().rstrip(".") in ("et al", "et. al", "et al.,", "and others")


# The editor's text form: one name a line.

ORGANISATION_PREFIX = "Organisation:"
EDITOR_HELP = (
    "One author a line, in order. A person: “Family, Given” (“Younger, Jarred W” or “Younger, JW”), "
    "with a suffix after a second comma (“Smith, John, Jr”) and an ORCID iD after a vertical bar "
    "(“Younger, Jarred | 0000-0002-1825-0097”). An organisation: “Organisation: Cancer Research UK”. "
    "A last line “et al.” marks a shortened list."
)


class NamesTextError(ValueError):
    """Lines of the editor's text that are not names; `problems` says which and why."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def names_text(names: list[dict], et_al: bool = False) -> str:
    """The list in the editor's text form, one name a line."""
    lines = []
    for name in names:
        if "literal" in name:
            lines.append(f"{ORGANISATION_PREFIX} {name['literal']}")
            continue
        line = f"{name['family']}, {name.get('given') or name.get('initials', '')}".rstrip(", ")
        if name.get("suffix"):
            line += f", {name['suffix']}" if name.get("given") or name.get("initials") else f",, {name['suffix']}"
        if name.get("orcid"):
            line += f" | {name['orcid']}"
        lines.append(line if "," in line else f"{line},")
    if et_al:
        lines.append(ET_AL)
    return "\n".join(lines)


def names_from_text(text: str) -> tuple[list[dict], bool]:
    """Read the editor's text form; raise NamesTextError naming each line that is not a name."""
    names, et_al, problems = [], False, []
    lines = [(number, _clean(line)) for number, line in enumerate((text or "").splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    for position, (number, line) in enumerate(lines, start=1):
        if is_et_al(line):
            if position != len(lines):
                problems.append(f"Line {number}: “et al.” can only be the last line.")
            et_al = True
            continue
        if line.lower().startswith(ORGANISATION_PREFIX.lower()) or line.lower().startswith("org:"):
            body = line.partition(":")[2].strip()
            if not body:
                problems.append(f"Line {number}: give the organisation's name after “{ORGANISATION_PREFIX}”.")
            else:
                names.append(organisation(body))
            continue
        line, _, orcid_text = line.partition("|")
        orcid = ""
        if orcid_text.strip():
            match = _ORCID.search(orcid_text)
            if not match:
                problems.append(
                    f"Line {number}: “{orcid_text.strip()}” is not an ORCID iD (four groups of four digits, "
                    "such as 0000-0002-1825-0097)."
                )
                continue
            orcid = match.group(1).upper()
        if "," not in line:
            problems.append(
                f"Line {number}: “{line.strip()}” — write a person as “Family, Given” "
                f"or an organisation as “{ORGANISATION_PREFIX} {line.strip()}”."
            )
            continue
        family, _, rest = line.partition(",")
        given, _, suffix = rest.partition(",")
        if not family.strip():
            problems.append(f"Line {number}: the family name (before the comma) is missing.")
            continue
        names.append(person(family, given, suffix=suffix.strip(", "), orcid=orcid))
    if problems:
        raise NamesTextError(problems)
    return names, et_al


def _given_is_initials(given: str, family: str) -> bool:
    """'J. W.', 'J.W.', 'JW', 'J W', 'R.-E.' are initials; 'John', 'Jarred W' and, beside 'SMITH', 'JOHN' are not."""
    words = given.split()
    if all(_INITIAL_WORD.match(word) and "." in word and _letters(word).isupper() for word in words):
        return True  # every word dotted: "J. W.", "J.W.", "J.-P."
    compact = given.replace(" ", "")
    if len(words) > 1 and all(len(word) == 1 and word.isupper() for word in words):
        return True  # "J W"
    return is_initials(compact) and len(words) == 1 and not family.isupper()


def _letters(text: str) -> str:
    return "".join(character for character in text if character.isalpha())


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def valid_names(names, role: str = "author") -> str:
    """Why a stored list is not names in the stored shape, or "" when it is.

    `role` ("author" or "editor") names the list in the sentence, so that a bad
    editor is never reported as a bad author.
    """
    if not isinstance(names, list):
        return f"The {role}s must be a list of names."
    label = role.capitalize()
    for position, name in enumerate(names, start=1):
        if not isinstance(name, dict) or not all(isinstance(value, str) for value in name.values()):
            return f"{label} {position} is not a name."
        if "literal" in name:
            if set(name) != {"literal"} or not name["literal"].strip():
                return f"{label} {position}: an organisation has only its name."
        elif not name.get("family", "").strip() or set(name) - set(PERSON_KEYS):
            return f"{label} {position}: a person needs a family name and only {', '.join(PERSON_KEYS)}."
    return ""
