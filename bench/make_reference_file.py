"""Write a synthetic reference file of N entries in one format, for the import benchmark.

    python bench/make_reference_file.py 10000 ris > refs.ris
    python bench/make_reference_file.py 10000 ris --revised > refs-revised.ris

Entries are fictional papers under the 10.5555 test DOI prefix, shaped like real
ones (six authors, a long title, journal details, DOI and PMID). `--revised`
changes every entry's pages and issue, so importing it after the plain file
updates every reference.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from references.formats.reading import FORMATS  # noqa: E402

FAMILIES = ("Okafor", "Lindqvist", "Moreau", "Haddad", "Nakamura", "Fernández", "O'Brien", "Kowalczyk", "Singh")
GIVENS = ("Amara", "Erik", "Claire", "Samir", "Yuki", "Lucía", "Sean", "Marta", "Priya")
TOPICS = ("naltrexone", "metformin", "statin therapy", "vitamin D", "exercise", "sleep hygiene", "SGLT2 inhibitors")
DESIGNS = ("a randomised controlled trial", "a cohort study", "a systematic review and meta-analysis")


def entry(n: int, *, revised: bool) -> dict:
    authors = ", ".join(f"{FAMILIES[(n + i) % len(FAMILIES)]} {GIVENS[(n * 7 + i) % len(GIVENS)][0]}" for i in range(6))
    first_page = 100 + n % 900
    return {
        "kind": "research",
        "title": f"Effect of {TOPICS[n % len(TOPICS)]} on outcomes in adults, study {n}: {DESIGNS[n % len(DESIGNS)]}",
        "authors": authors,
        "source": f"Journal of Clinical Examples {n % 40}",
        "year": 1990 + n % 35,
        "volume": str(10 + n % 90),
        "issue": str(1 + n % 12) + ("s" if revised else ""),
        "pages": f"{first_page}-{first_page + (12 if revised else 9)}",
        "doi": f"10.5555/bench.{n}",
        "pmid": str(40000000 + n),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("format", choices=sorted(FORMATS))
    parser.add_argument("--revised", action="store_true")
    args = parser.parse_args()
    items = [(f"bench{n}", entry(n, revised=args.revised)) for n in range(1, args.count + 1)]
    sys.stdout.write(FORMATS[args.format].dump(items))


if __name__ == "__main__":
    main()
