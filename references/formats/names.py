"""Author names in the Vancouver form the library stores: "Younger J, Noor N, et al.".

Each name is the family name then the initials with no dots ("Younger JW"); an
organisation is kept whole ("American Diabetes Association"); "et al." may end
the list. Files give names as "Family, Given" or "Given Family"; these
functions turn them into that form and back into family/given parts.
"""

import re

ET_AL = "et al."
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
# Words that mark a name written without a comma as an organisation, so that
# "World Health Organization" is not read as the person "Organization WH".
_ORGANISATION_WORDS = {
    "academy",
    "agency",
    "association",
    "board",
    "center",
    "centre",
    "clinic",
    "collaboration",
    "college",
    "committee",
    "consortium",
    "council",
    "department",
    "federation",
    "foundation",
    "group",
    "hospital",
    "institute",
    "investigators",
    "ministry",
    "network",
    "organisation",
    "organization",
    "panel",
    "society",
    "university",
}


def initials(given: str) -> str:
    """'John Wesley' → 'JW'; 'J. W.' → 'JW'; 'Jean-Paul' → 'JP'."""
    return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part and part[0].isalpha())


def is_initials(word: str) -> bool:
    """'JW' is initials; 'Younger' and 'J.' are not."""
    return bool(_INITIALS.match(word))


def vancouver(family: str, given: str = "") -> str:
    """One name in Vancouver form: family name then initials."""
    family, given = " ".join(family.split()), given.strip()
    return f"{family} {initials(given)}".strip() if given else family


def vancouver_from_display(name: str) -> str:
    """Read 'Family, Given', 'Given Family' or an already-Vancouver 'Family GI' into Vancouver form.

    An organisation is kept whole: written with a trailing comma ("Mayo Clinic,",
    EndNote's way) or recognised by a word such as "Society" or "Organization".
    """
    name = " ".join(name.split())
    if not name:
        return ""
    if _is_et_al(name):
        return ET_AL
    if "," in name:
        family, _, given = name.partition(",")
        return vancouver(family, given)
    *rest, last = name.split(" ")
    if not rest or is_initials(last):
        return name  # one word (an organisation or a lone surname) or already "Family GI"
    if any(word.lower().strip(".()") in _ORGANISATION_WORDS for word in name.split(" ")):
        return name
    family = [last]
    while len(rest) > 1 and rest[-1].islower():  # "Jan van der Berg": the particles belong to the family name
        family.insert(0, rest.pop())
    return vancouver(" ".join(family), " ".join(rest))


def join_authors(names: list[str]) -> str:
    """The stored author list: Vancouver names joined by commas."""
    return ", ".join(name for name in names if name)


def split_authors(authors: str) -> list[dict]:
    """The stored author list as CSL name parts: {'family', 'given'} or {'literal'}.

    A name without initials is an organisation and becomes a literal; so does
    "et al.", which keeps a shortened list from reading as the whole authorship.
    """
    parts = [" ".join(part.split()) for part in authors.split(",")]
    names = []
    for part in parts:
        if not part:
            continue
        if _is_et_al(part):
            names.append({"literal": ET_AL})
            continue
        family, _, last = part.rpartition(" ")
        if family and is_initials(last):
            names.append({"family": family, "given": " ".join(last)})
        else:
            names.append({"literal": part})
    return names


def _is_et_al(name: str) -> bool:
    return name.lower().rstrip(".") == "et al"
