"""Reference files in and out: RIS, BibTeX, PubMed MEDLINE (.nbib) and CSL-JSON.

Every format reads into the same shape, a `ParsedEntry` whose `values` are the
Reference model's own fields (see `records.py`), and writes from that shape,
so the import service, the exports and the citation styles share one mapping.
"""
