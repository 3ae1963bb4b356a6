"""calls.csv_import: a CDR CSV file stored all or nothing, its preview, and the file's own rules.

Every refusal is asserted with the CSV line number (the header is line 1) and the field the
user sees, and with the calls and contacts tables left empty.
"""

from pathlib import Path

import pytest

from calls import csv_import as csv_import_module
from calls.csv_import import CsvImportResult, csv_import, csv_preview
from calls.models import Call, Contact
from contactcenter.errors import ConflictError, DomainError
from tests.factories import OperatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "cdr_sample.csv").read_bytes()
EXCEL_RU = (DATA / "cdr_sample_excel_ru.csv").read_bytes()
HEADER = (
    "external_id,project,direction,caller,operator,offered_at,answered_at,ended_at,"
    "hold_seconds,wrap_seconds,disposition,recording_url"
)
# (external_id, wait, connected, talk, handle) of the sample's calls, by the contract's rules.
SAMPLE_SECONDS = [
    ("cdr-1001", 12, 150, 140, 170),
    ("cdr-1002", 4, 0, 0, 0),
    ("cdr-1003", 20, 240, 240, 255),
    ("cdr-1004", 8, 63, 63, 93),  # answered after 7.5 s, 62.5 s connected: both round up
    ("cdr-1005", 90, 0, 0, 0),
    ("cdr-1006", 5, 420, 360, 465),
    ("cdr-1007", 2, 0, 0, 0),
    ("cdr-1008", 3, 180, 180, 190),
    ("cdr-1009", 15, 45, 40, 45),
    ("cdr-1010", 30, 300, 270, 320),
]


@pytest.fixture(autouse=True)
def operators():
    return OperatorFactory(code="ivan"), OperatorFactory(code="olga")


def good(n, **overrides):
    """A CSV line of an answered call ``x-n``: 10 s wait, 60 s connected, 5 s hold, 10 s wrap."""
    cells = {
        "external_id": f"x-{n}",
        "project": "hotline",
        "direction": "inbound",
        "caller": "+74951234567",
        "operator": "ivan",
        "offered_at": f"2026-10-05T10:{n:02d}:00Z",
        "answered_at": f"2026-10-05T10:{n:02d}:10Z",
        "ended_at": f"2026-10-05T10:{n + 1:02d}:10Z",
        "hold_seconds": "5",
        "wrap_seconds": "10",
        "disposition": "",
        "recording_url": "",
        **overrides,
    }
    return ",".join(cells.values())


def csv_file(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def seconds_table():
    return list(
        Call.objects.order_by("external_id").values_list(
            "external_id", "wait_seconds", "connected_seconds", "talk_seconds", "handle_seconds"
        )
    )


def error(line, external_id, /, **fields):
    return {"line": line, "external_id": external_id, "errors": fields}


def refused(exc_info):
    return exc_info.value.message, exc_info.value.details


class TestTheSample:
    def test_it_imports_ten_calls_with_exact_derived_seconds(self, hotline):
        result = csv_import(file=SAMPLE)

        assert result == CsvImportResult(
            rows=10, created=10, duplicates=0, errors=[], conflicts=[], stored=True
        )
        assert seconds_table() == SAMPLE_SECONDS
        outbound = Call.objects.get(external_id="cdr-1004")
        assert (outbound.direction, outbound.caller, outbound.operator.code) == (
            "outbound",
            "+79161234567",
            "ivan",
        )
        assert (outbound.hold_seconds, outbound.wrap_seconds) == (0, 30)
        withheld = Call.objects.get(external_id="cdr-1003")
        assert (withheld.caller, withheld.contact, withheld.disposition) == (
            "",
            None,
            "консультация",
        )
        assert withheld.offered_at.isoformat() == "2026-10-05T09:03:00+00:00"
        bare = Call.objects.get(external_id="cdr-1007")
        assert (bare.direction, bare.operator, bare.answered_at) == ("inbound", None, None)
        assert (bare.hold_seconds, bare.wrap_seconds, bare.recording_url) == (0, 0, "")
        quoted = Call.objects.get(external_id="cdr-1010")
        assert quoted.disposition == "продажа, доставка"
        # Seven distinct callers; cdr-1001 and cdr-1008 share one.
        assert Contact.objects.count() == 7
        first, again = Call.objects.filter(external_id__in=["cdr-1001", "cdr-1008"])
        assert first.contact_id == again.contact_id is not None

    def test_the_russian_excel_export_semicolons_bom_crlf_stores_the_same_calls(self, hotline):
        assert EXCEL_RU.startswith(b"\xef\xbb\xbfexternal_id;project;")
        assert b"\r\n" in EXCEL_RU

        result = csv_import(file=EXCEL_RU)

        assert (result.rows, result.created, result.duplicates) == (10, 10, 0)
        assert seconds_table() == SAMPLE_SECONDS
        assert Call.objects.get(external_id="cdr-1010").disposition == "продажа, доставка"

    def test_a_comma_header_keeps_commas_even_if_a_cell_holds_a_semicolon(self, hotline):
        result = csv_import(file=csv_file(good(1, disposition="sale;upsell")))

        assert result.created == 1
        assert Call.objects.get().disposition == "sale;upsell"

    def test_importing_it_again_creates_nothing_and_counts_duplicates(self, hotline):
        csv_import(file=SAMPLE)

        result = csv_import(file=SAMPLE)

        assert (result.rows, result.created, result.duplicates, result.stored) == (10, 0, 10, True)
        assert Call.objects.count() == 10
        assert Contact.objects.count() == 7

    def test_a_changed_line_is_a_conflict_naming_its_line_and_stores_nothing(self, hotline):
        csv_import(file=SAMPLE)
        changed = SAMPLE.replace(b"2026-10-05T09:06:10Z,0,30,", b"2026-10-05T09:06:10Z,0,45,")
        changed += good(1).encode() + b"\n"

        with pytest.raises(ConflictError) as exc_info:
            csv_import(file=changed)

        assert refused(exc_info) == (
            "Lines whose external_id is stored with different data: 1; nothing was stored.",
            {
                "lines": [
                    error(
                        5,
                        "cdr-1004",
                        external_id=[
                            "'cdr-1004' is already stored for this project with different "
                            "wrap_seconds."
                        ],
                    )
                ]
            },
        )
        assert Call.objects.count() == 10
        assert not Call.objects.filter(external_id="x-1").exists()
        assert Call.objects.get(external_id="cdr-1004").wrap_seconds == 30

    def test_the_preview_reports_what_the_import_would_do_and_stores_nothing(self, hotline):
        assert (Call.objects.count(), Contact.objects.count()) == (0, 0)

        result = csv_preview(file=SAMPLE)

        assert result == CsvImportResult(
            rows=10, created=10, duplicates=0, errors=[], conflicts=[], stored=False
        )
        assert (Call.objects.count(), Contact.objects.count()) == (0, 0)

    def test_the_preview_of_a_stored_file_counts_duplicates(self, hotline):
        csv_import(file=SAMPLE)

        result = csv_preview(file=SAMPLE)

        assert (result.created, result.duplicates, result.stored) == (0, 10, False)


class TestTheHeader:
    def test_missing_required_columns_are_named(self, hotline):
        header = "external_id,project,answered_at"

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=csv_file("x-1,hotline,2026-10-05T10:00:00Z", header=header))

        message = "Missing required columns: offered_at, ended_at."
        assert refused(exc_info) == (
            f"The header row (line 1) is not valid: {message}",
            {"columns": [message]},
        )

    def test_unknown_and_repeated_columns_are_named(self, hotline):
        header = HEADER.replace("hold_seconds", "hold_secs") + ",disposition"

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=csv_file(good(1) + ",", header=header))

        assert exc_info.value.details == {
            "columns": [
                "Unknown columns: hold_secs. The columns are: external_id, project, direction, "
                "caller, operator, offered_at, answered_at, ended_at, hold_seconds, "
                "wrap_seconds, disposition, recording_url.",
                "Repeated columns: disposition.",
            ]
        }
        assert Call.objects.count() == 0

    def test_names_are_read_without_case_or_surrounding_spaces(self, hotline):
        header = " External_ID ,PROJECT,offered_at , ended_at"

        result = csv_import(
            file=csv_file("x-1,hotline,2026-10-05T10:00:00Z,2026-10-05T10:00:30Z", header=header)
        )

        assert result.created == 1

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "The file is empty."),
            (HEADER.encode() + b"\n\n", "The file has a header but no calls."),
        ],
    )
    def test_a_file_without_calls_is_refused(self, hotline, content, message):
        with pytest.raises(DomainError) as exc_info:
            csv_import(file=content)

        assert exc_info.value.message == message


class TestTheCells:
    def test_empty_cells_take_the_defaults(self, hotline):
        header = "external_id,project,direction,caller,operator,offered_at,answered_at,ended_at"

        csv_import(
            file=csv_file(
                "x-1,hotline,,,,2026-10-05T10:00:00Z,,2026-10-05T10:00:30Z", header=header
            )
        )

        call = Call.objects.get()
        assert (call.direction, call.caller, call.operator, call.answered_at) == (
            "inbound",
            "",
            None,
            None,
        )
        assert (call.hold_seconds, call.wrap_seconds, call.disposition) == (0, 0, "")
        assert (call.wait_seconds, call.connected_seconds) == (30, 0)

    def test_seconds_are_numbers_and_anything_else_is_refused_on_its_field(self, hotline):
        content = csv_file(
            good(1, hold_seconds=" 15 ", wrap_seconds="+7"),
            good(2, hold_seconds="ten"),
            good(3, wrap_seconds="-5"),
            good(4, hold_seconds="1.5"),
            good(5, hold_seconds="9" * 5000),
        )

        result = csv_preview(file=content)

        assert result.errors == [
            error(3, "x-2", hold_seconds=["A valid integer is required."]),
            error(4, "x-3", wrap_seconds=["Cannot be negative."]),
            error(5, "x-4", hold_seconds=["A valid integer is required."]),
            error(6, "x-5", hold_seconds=["A valid integer is required."]),
        ]
        assert (result.created, result.stored) == (1, False)
        csv_import(file=csv_file(good(1, hold_seconds=" 15 ", wrap_seconds="+7")))
        assert Call.objects.values_list("hold_seconds", "wrap_seconds").get() == (15, 7)

    def test_the_ingestion_rules_apply_to_each_line(self, hotline):
        content = csv_file(
            good(1, operator="nobody"),
            good(2, ended_at="2026-10-05T09:00:00Z"),
            good(3, offered_at="yesterday"),
            good(4, caller="84951234567"),
        )

        result = csv_preview(file=content)

        assert result.errors == [
            error(2, "x-1", operator=["Unknown operator 'nobody'."]),
            error(3, "x-2", ended_at=["Cannot be before answered_at."]),
            error(
                4,
                "x-3",
                offered_at=[
                    "Datetime has wrong format. Use ISO 8601, such as 2026-10-05T09:00:00Z."
                ],
            ),
            error(5, "x-4", caller=["Not an E.164 number, such as +74951234567."]),
        ]

    def test_a_line_with_the_wrong_number_of_cells_is_refused(self, hotline):
        content = csv_file(
            good(1).rsplit(",", 1)[0],  # 11 cells
            good(2) + ",,",  # trailing empty cells: tolerated
            good(3) + ",oops",
        )

        result = csv_preview(file=content)

        assert result.errors == [
            error(2, "x-1", non_field_errors=["This line has 11 cells; the header has 12."]),
            error(4, "x-3", non_field_errors=["This line has 13 cells; the header has 12."]),
        ]
        assert (result.rows, result.created) == (3, 1)

    def test_an_unnamed_column_is_ignored_while_empty(self, hotline):
        content = csv_file(good(1) + ",", good(2) + ",note", header=HEADER + ",")

        result = csv_preview(file=content)

        message = "Column 13 has no name in the header, but a value here."
        assert result.errors == [error(3, "x-2", non_field_errors=[message])]
        assert result.created == 1

    def test_blank_lines_are_skipped_and_lines_keep_their_numbers(self, hotline):
        content = csv_file(good(1), "", ",,,,,,,,,,,", good(2, hold_seconds="-1"), "")

        result = csv_preview(file=content)

        assert result.rows == 2
        assert result.errors == [error(5, "x-2", hold_seconds=["Cannot be negative."])]

    def test_a_file_not_in_utf8_is_refused_naming_the_line(self, hotline):
        content = csv_file(good(1), good(2, disposition="жалоба")).decode().encode("cp1251")

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=content)

        assert exc_info.value.message == (
            'Line 3 is not UTF-8 text. Save it as UTF-8 (in Excel: "CSV UTF-8 (comma delimited)").'
        )
        assert Call.objects.count() == 0

    def test_broken_quoting_is_refused_naming_the_line(self, hotline):
        content = csv_file(good(1), good(2, disposition='"sale"x'))

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=content)

        assert exc_info.value.message == "Line 3 is not valid CSV: ',' expected after '\"'."
        assert Call.objects.count() == 0


class TestChunks:
    """The file goes to calls_ingest in chunks (3 rows here), all in one transaction."""

    @pytest.fixture(autouse=True)
    def chunks_of_three(self, monkeypatch):
        monkeypatch.setattr(csv_import_module, "CHUNK_SIZE", 3)
        sizes = []
        ingest = csv_import_module.calls_ingest

        def spy(*, rows, allowed_project_ids=None):
            sizes.append(len(rows))
            return ingest(rows=rows, allowed_project_ids=allowed_project_ids)

        monkeypatch.setattr(csv_import_module, "calls_ingest", spy)
        return sizes

    def test_a_valid_file_is_stored_across_chunks(self, hotline, chunks_of_three):
        result = csv_import(file=SAMPLE)

        assert chunks_of_three == [3, 3, 3, 1]
        assert (result.rows, result.created, result.duplicates) == (10, 10, 0)
        assert seconds_table() == SAMPLE_SECONDS

    def test_invalid_lines_in_any_chunk_reject_the_whole_file_and_all_are_listed(
        self, hotline, chunks_of_three
    ):
        lines = [good(n) for n in range(1, 11)]  # file lines 2..11; chunks 2-4, 5-7, 8-10, 11
        lines[1] = good(2, hold_seconds="-5")  # line 3, first chunk
        lines[4] = good(5, operator="nobody")  # line 6, second chunk
        lines[8] = good(9, ended_at="2026-10-05T09:00:00Z")  # line 10, third chunk
        expected = [
            error(3, "x-2", hold_seconds=["Cannot be negative."]),
            error(6, "x-5", operator=["Unknown operator 'nobody'."]),
            error(10, "x-9", ended_at=["Cannot be before answered_at."]),
        ]

        preview = csv_preview(file=csv_file(*lines))

        assert preview == CsvImportResult(
            rows=10, created=7, duplicates=0, errors=expected, conflicts=[], stored=False
        )
        # Each refused chunk is checked again without its refused line.
        assert chunks_of_three == [3, 2, 3, 2, 3, 2, 1]
        with pytest.raises(DomainError) as exc_info:
            csv_import(file=csv_file(*lines))
        assert refused(exc_info) == (
            "3 of 10 lines are invalid; nothing was stored.",
            {"lines": expected},
        )
        assert (Call.objects.count(), Contact.objects.count()) == (0, 0)

    def test_a_line_contradicting_an_earlier_chunk_is_a_conflict(self, hotline):
        lines = [good(n) for n in range(1, 6)]
        lines.append(good(1, wrap_seconds="99"))  # line 7: x-1 again, other data
        lines.append(good(2))  # line 8: x-2 again, identical: a duplicate

        preview = csv_preview(file=csv_file(*lines))

        conflict = error(
            7,
            "x-1",
            external_id=["'x-1' is already stored for this project with different wrap_seconds."],
        )
        assert (preview.created, preview.duplicates, preview.errors) == (5, 1, [])
        assert preview.conflicts == [conflict]
        with pytest.raises(ConflictError) as exc_info:
            csv_import(file=csv_file(*lines))
        assert exc_info.value.details == {"lines": [conflict]}
        assert Call.objects.count() == 0

    def test_a_repeat_with_other_data_in_the_same_chunk_names_the_first_line(self, hotline):
        lines = [good(n) for n in range(1, 7)]  # chunks: lines 2-4, 5-7
        lines[5] = good(4, wrap_seconds="99")  # line 7 repeats x-4 of line 5

        preview = csv_preview(file=csv_file(*lines))

        assert preview.errors == [
            error(
                7,
                "x-4",
                external_id=["Line 5 has the same project and external_id with different data."],
            )
        ]
        assert (preview.created, preview.conflicts) == (5, [])

    def test_only_the_first_error_lines_are_listed_and_the_rest_counted(self, hotline, monkeypatch):
        monkeypatch.setattr(csv_import_module, "MAX_REPORTED_LINES", 2)
        lines = [good(n, hold_seconds="-1") for n in range(1, 6)]

        preview = csv_preview(file=csv_file(*lines))

        assert [entry["line"] for entry in preview.errors] == [2, 3]
        assert preview.errors_omitted == 3
        with pytest.raises(DomainError) as exc_info:
            csv_import(file=csv_file(*lines))
        assert exc_info.value.message == "5 of 5 lines are invalid; nothing was stored."
        assert exc_info.value.details["lines_omitted"] == 3


class TestScopeAndLimits:
    def test_a_project_outside_the_scope_is_unknown_on_its_line(self, hotline):
        ProjectFactory(code="other")
        content = csv_file(good(1), good(2, project="other"))

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=content, allowed_project_ids={hotline.pk})

        assert exc_info.value.details == {
            "lines": [error(3, "x-2", project=["Unknown project 'other'."])]
        }
        assert Call.objects.count() == 0
        assert csv_import(file=content).created == 2  # unscoped (a superuser)

    def test_a_file_over_the_size_limit_is_refused_as_too_large(self, hotline, monkeypatch):
        monkeypatch.setattr(csv_import_module, "MAX_FILE_BYTES", 1024 * 1024)

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=SAMPLE + b"," * (1024 * 1024))

        assert refused(exc_info) == (
            "A file may be at most 1 MB; split it and import the parts.",
            {"file": ["Larger than 1 MB."]},
        )
        assert (exc_info.value.status, exc_info.value.code) == (413, "payload_too_large")

    def test_a_file_over_the_row_limit_is_refused_and_nothing_stored(self, hotline, monkeypatch):
        monkeypatch.setattr(csv_import_module, "MAX_ROWS", 5)
        monkeypatch.setattr(csv_import_module, "CHUNK_SIZE", 2)  # two chunks stored before

        with pytest.raises(DomainError) as exc_info:
            csv_import(file=SAMPLE)

        assert (
            exc_info.value.message == "A file holds at most 5 calls; split it and import the parts."
        )
        assert (Call.objects.count(), Contact.objects.count()) == (0, 0)
