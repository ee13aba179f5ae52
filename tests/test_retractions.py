"""A retraction list flags the references it names, in one transaction, under the importer's name."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from references.models import Reference
from references.retractions import retractions_import
from tests.factories import ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,"
    "RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,"
    "OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes"
)
# Made-up rows in the shape of the Retraction Watch export.
SAMPLE = "\n".join(
    [
        HEADER,
        # 2: retraction matched by DOI (given as a link, in upper case)
        '1001,"Magnesium and migraine, a cohort",(HSC) Medicine,Example University,Journal of Examples,Example Press,'
        "Norway,Doe J;Roe R,https://retractionwatch.com/2023/03/14/example/,Research Article;,"
        "3/14/2023 0:00,10.5555/retraction.1001,36900001,1/2/2021 0:00,https://doi.org/10.5555/EXAMPLE.MIGRAINE,"
        "33000001,Retraction,+Concerns/Issues About Data;,No,",
        # 3: expression of concern matched by PMID (the DOI is unavailable), bare date
        "1002,Vitamin D and falls,(HSC) Medicine,Example Institute,Example Reports,Example Press,Chile,Smith A,"
        "https://example.org/notice/1002;https://example.org/other,Research Article;,5/1/2024,unavailable,0,"
        "6/7/2019 0:00,unavailable,31000002,Expression of concern,+Concerns/Issues About Results;,No,",
        # 4: correction: ignored
        "1003,Statins in the elderly,(HSC) Medicine,Example College,Example Journal,Example Press,Spain,Lee K,,"
        "Research Article;,2/2/2022 0:00,10.5555/correction.1003,0,1/1/2020 0:00,10.5555/example.statins,0,"
        "Correction,+Error in Figure;,No,",
        # 5: reinstatement of a reference we hold as retracted
        "1004,Exercise and back pain,(HSC) Medicine,Example Hospital,Example Spine,Example Press,Canada,Ng P,"
        "https://example.org/notice/1004,Research Article;,11/30/2023 0:00,10.5555/reinstatement.1004,0,"
        "4/4/2018 0:00,10.5555/example.backpain,0,Reinstatement,+Investigation by Journal;,No,",
        # 6: a paper we do not hold
        "1005,Coffee and longevity,(HSC) Medicine,Example Lab,Example Nutrition,Example Press,Italy,Rossi M,,"
        "Research Article;,7/7/2022 0:00,10.5555/retraction.1005,0,3/3/2020 0:00,10.5555/not.in.library,0,"
        "Retraction,+Duplication of Article;,No,",
        # 7: no usable identifier
        "1006,Garlic and colds,(HSC) Medicine,Example Centre,Example Herbal,Example Press,India,Rao S,,"
        "Research Article;,8/8/2022 0:00,unavailable,0,3/3/2001 0:00,unavailable,0,Retraction,+Plagiarism;,No,",
        # 8: matched, but the date is not month/day/year
        "1007,Sleep and memory,(HSC) Medicine,Example University,Example Sleep,Example Press,Japan,Sato T,,"
        "Research Article;,31/12/2022 0:00,10.5555/retraction.1007,0,3/3/2020 0:00,10.5555/example.sleep,0,"
        "Retraction,+Error in Data;,No,",
        # 9: retraction of a reference already retracted
        "1008,Zinc and colds,(HSC) Medicine,Example University,Example Journal,Example Press,UK,Kay L,,"
        "Research Article;,1/10/2020 0:00,10.5555/retraction.1008,0,3/3/2015 0:00,10.5555/example.zinc,0,"
        "Retraction,+Fake Peer Review;,No,",
        "",
    ]
)


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "retractions.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def importer():
    return UserFactory(username="importer", is_superuser=True, is_staff=True)


@pytest.fixture
def library():
    return {
        "migraine": ReferenceFactory(doi="10.5555/example.migraine", pmid="33000001"),
        "falls": ReferenceFactory(doi="", pmid="31000002"),
        "statins": ReferenceFactory(doi="10.5555/example.statins", pmid=""),
        "backpain": ReferenceFactory(
            doi="10.5555/example.backpain",
            retraction_status=Reference.Retraction.RETRACTED,
            retraction_date=datetime.date(2020, 5, 5),
            retraction_source="Journal notice",
        ),
        "sleep": ReferenceFactory(doi="10.5555/example.sleep"),
        "zinc": ReferenceFactory(
            doi="10.5555/example.zinc",
            retraction_status=Reference.Retraction.RETRACTED,
            retraction_date=datetime.date(2019, 1, 1),
            retraction_source="Editor's note",
        ),
    }


def run(path, username="importer"):
    out = StringIO()
    call_command("import_retractions", path, "--as", username, stdout=out)
    return out.getvalue()


def standing(reference):
    reference.refresh_from_db()
    return (reference.retraction_status, reference.retraction_date, reference.retraction_source)


def test_import_flags_matched_references_and_reports_every_count(tmp_path, importer, library):
    output = run(write(tmp_path, SAMPLE))

    assert standing(library["migraine"]) == (
        "retracted",
        datetime.date(2023, 3, 14),
        "Retraction Watch: 10.5555/retraction.1001",
    )
    assert standing(library["falls"]) == (
        "expression_of_concern",
        datetime.date(2024, 5, 1),
        "Retraction Watch: https://example.org/notice/1002",
    )
    assert standing(library["statins"]) == ("", None, "")
    assert standing(library["backpain"]) == (
        "",
        datetime.date(2023, 11, 30),
        "Retraction Watch: 10.5555/reinstatement.1004",
    )
    assert standing(library["sleep"]) == ("", None, "")
    assert standing(library["zinc"]) == ("retracted", datetime.date(2019, 1, 1), "Editor's note")
    assert output.splitlines() == [
        "Rows read: 8",
        "Matched to our references: 4",
        "Flagged retracted: 1",
        "Flagged with an expression of concern: 1",
        "Reinstated: 1",
        "Unchanged: 1",
        "Superseded by a later notice: 0",
        "Not in our library: 1",
        "Other notices (corrections and the like), ignored: 1",
        "Skipped: 2",
        "  row 7: no usable OriginalPaperDOI or OriginalPaperPubMedID.",
        "  row 8: RetractionDate “31/12/2022 0:00” is not a month/day/year date.",
        f"Imported {tmp_path / 'retractions.csv'} as importer.",
    ]


def test_import_writes_history_only_for_changed_references_under_the_importer(tmp_path, importer, library):
    run(write(tmp_path, SAMPLE))

    changed = {library[name].pk for name in ("migraine", "falls", "backpain")}
    imported = Reference.history.filter(history_type="~")
    assert {row.id for row in imported} == changed
    assert {row.history_user for row in imported} == {importer}
    for name in ("statins", "sleep", "zinc"):
        assert library[name].history.count() == 1


def test_importing_the_same_list_twice_changes_nothing_the_second_time(tmp_path, importer, library):
    path = write(tmp_path, SAMPLE)
    run(path)
    history_rows = Reference.history.count()

    output = run(path)

    assert Reference.history.count() == history_rows
    assert "Unchanged: 4" in output.splitlines()
    assert "Flagged retracted: 0" in output.splitlines()


def test_latest_notice_about_a_reference_decides_its_standing():
    reference = ReferenceFactory(doi="10.5555/example.latest")
    rows = [
        {
            "RetractionNature": "Retraction",
            "RetractionDate": "2/1/2022 0:00",
            "OriginalPaperDOI": reference.doi,
            "OriginalPaperPubMedID": "0",
            "RetractionDOI": "10.5555/retraction.a",
        },
        {
            "RetractionNature": "Expression of concern",
            "RetractionDate": "6/1/2020 0:00",
            "OriginalPaperDOI": reference.doi,
            "OriginalPaperPubMedID": "0",
            "RetractionDOI": "10.5555/eoc.a",
        },
    ]

    report = retractions_import(rows=rows, source="Retraction Watch")

    assert standing(reference) == ("retracted", datetime.date(2022, 2, 1), "Retraction Watch: 10.5555/retraction.a")
    assert (report.matched, report.superseded, report.flagged_retracted, report.flagged_concern) == (2, 1, 1, 0)


def test_expression_of_concern_does_not_lift_a_retraction():
    reference = ReferenceFactory(pmid="31000009", retraction_status=Reference.Retraction.RETRACTED)
    rows = [
        {
            "RetractionNature": "Expression of concern",
            "RetractionDate": "6/1/2024",
            "OriginalPaperDOI": "unavailable",
            "OriginalPaperPubMedID": "31000009",
        }
    ]

    report = retractions_import(rows=rows, source="Retraction Watch")

    assert standing(reference) == ("retracted", None, "")
    assert (report.matched, report.unchanged, report.flagged_concern) == (1, 1, 0)


def test_doi_match_comes_before_pmid_match():
    by_doi = ReferenceFactory(doi="10.5555/example.first", pmid="")
    by_pmid = ReferenceFactory(doi="", pmid="31000010")
    rows = [
        {
            "RetractionNature": "Retraction",
            "RetractionDate": "1/1/2024",
            "OriginalPaperDOI": by_doi.doi,
            "OriginalPaperPubMedID": "31000010",
        }
    ]

    retractions_import(rows=rows, source="Retraction Watch")

    assert (standing(by_doi)[0], standing(by_pmid)[0]) == ("retracted", "")


def test_file_that_is_not_utf8_is_refused_and_changes_nothing(tmp_path, importer, library):
    path = write(tmp_path, SAMPLE.replace("Magnesium", "Magnésium"), encoding="latin-1")

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value).startswith(f"{path} is not UTF-8 text")
    assert str(error.value).endswith("save it as UTF-8 CSV. Nothing was changed.")
    assert standing(library["migraine"]) == ("", None, "")
    assert Reference.history.filter(history_type="~").count() == 0


def test_file_without_the_needed_columns_is_refused_and_changes_nothing(tmp_path, importer, library):
    path = write(tmp_path, "Title,DOI\nMagnesium and migraine,10.5555/example.migraine\n")

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value) == (
        f"{path} is not a retraction list: it lacks the column(s) RetractionNature, RetractionDate, "
        "OriginalPaperDOI, OriginalPaperPubMedID. Expected the Retraction Watch CSV export, with columns "
        "RetractionNature, RetractionDate, OriginalPaperDOI, OriginalPaperPubMedID. Nothing was changed."
    )
    assert Reference.history.filter(history_type="~").count() == 0


def test_empty_file_is_refused(tmp_path, importer):
    path = write(tmp_path, "")

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value) == f"{path} is empty: expected a CSV file with a header row. Nothing was changed."


def test_import_by_an_unknown_user_is_refused(tmp_path, library):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, SAMPLE), username="nobody")

    assert str(error.value) == "There is no active user “nobody”."
    assert standing(library["migraine"]) == ("", None, "")


def test_import_by_a_user_who_may_not_change_references_is_refused(tmp_path, reader, library):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, SAMPLE), username="reader")

    assert str(error.value) == "reader may not change references."
    assert standing(library["migraine"]) == ("", None, "")
