"""The command line's one CSV reader: awkward files are taken or refused with
the row and column named (tether/csvfiles.py)."""

import pytest

from tether.csvfiles import CsvFileError, column_letter, read_csv_file


def csv_file(tmp_path, data: bytes):
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    return path


def refusal(tmp_path, data: bytes):
    with pytest.raises(CsvFileError) as caught:
        read_csv_file(csv_file(tmp_path, data))
    return [
        problem.replace(str(tmp_path / "answers.csv"), "FILE")
        for problem in caught.value.problems
    ]


def test_a_plain_file_gives_its_header_rows_and_spreadsheet_row_numbers(tmp_path):
    table = read_csv_file(csv_file(tmp_path, b"id,q1,q2\na,1,2\nb,03,2.50\n"))
    assert table.header == ("id", "q1", "q2")
    assert table.rows() == [("a", "1", "2"), ("b", "03", "2.50")]
    assert table.row_numbers == (2, 3)
    assert list(table.frame.columns) == ["id", "q1", "q2"]


def test_a_byte_order_mark_and_windows_line_ends_are_taken_as_they_come(tmp_path):
    table = read_csv_file(csv_file(tmp_path, b"\xef\xbb\xbfid,q1\r\na,1\r\n"))
    assert table.header == ("id", "q1")
    assert table.rows() == [("a", "1")]


def test_blank_lines_and_rows_of_empty_cells_are_skipped_but_still_counted(tmp_path):
    table = read_csv_file(csv_file(tmp_path, b"id,q1\n\na,1\n , \n\nb,2\n\n\n"))
    assert table.rows() == [("a", "1"), ("b", "2")]
    assert table.row_numbers == (3, 6)


def test_a_line_break_inside_quotes_stays_in_its_cell_and_row(tmp_path):
    table = read_csv_file(csv_file(tmp_path, b'id,note\na,"two\nlines"\nb,x\n'))
    assert table.rows() == [("a", "two\nlines"), ("b", "x")]
    assert table.row_numbers == (2, 3)


def test_column_names_lose_their_surrounding_spaces(tmp_path):
    assert read_csv_file(csv_file(tmp_path, b" id , q1\na,1\n")).header == ("id", "q1")


@pytest.mark.parametrize("data", [b"", b"\n\n", b" \n\t\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_named_empty(tmp_path, data):
    assert refusal(tmp_path, data) == ["FILE: is empty"]


def test_a_header_without_rows_is_refused(tmp_path):
    assert refusal(tmp_path, b"id,q1\n\n,\n") == [
        "FILE: has a header but no rows below it"
    ]


def test_a_first_row_without_names_is_refused(tmp_path):
    assert refusal(tmp_path, b"\nid,q1\na,1\n") == [
        "FILE: row 1 is empty: the first row must name the columns"
    ]


def test_a_column_name_used_twice_is_refused_naming_both_columns(tmp_path):
    assert refusal(tmp_path, b"id,q1,q2,q1\na,1,2,3\n") == [
        "row 1: the column name 'q1' is used more than once (columns B, D)"
    ]


def test_a_row_with_a_value_beyond_the_last_column_is_refused(tmp_path):
    assert refusal(tmp_path, b"id,q1,q2\na,1,2\nb,1,2,3\nc,1,2,,\n") == [
        "row 3: 4 values, but the header names only 3 columns (A to C): "
        "column D has a value but no name",
        "row 4: 5 values, but the header names only 3 columns (A to C): "
        "delete its empty cells from column D on",
    ]


def test_a_row_short_of_values_is_refused_naming_the_first_missing_column(tmp_path):
    assert refusal(tmp_path, b"id,q1,q2\na,1,2\n\nb,1\n") == [
        "row 4: 2 values for the header's 3 columns: "
        "column C ('q2') and any after it are missing"
    ]


def test_many_problems_are_cut_with_a_count(tmp_path):
    rows = b"".join(b"a,1\n" for _ in range(60))
    problems = refusal(tmp_path, b"id,q1,q2\n" + rows)
    assert problems[0].startswith("row 2: 2 values")
    assert problems[-1] == "… and 10 more problems"
    assert len(problems) == 51


def test_text_that_is_not_utf8_asks_for_csv_utf8(tmp_path):
    assert refusal(tmp_path, b"id,q1\na,\xe9\n") == [
        "FILE: is not UTF-8 text; save it as CSV UTF-8"
    ]
    assert refusal(tmp_path, b"\xff\xfei\x00d\x00") == [
        "FILE: is not UTF-8 text; save it as CSV UTF-8"
    ]


@pytest.mark.parametrize(
    ("data", "separator"),
    [(b"id;q1\na;1\n", "semicolons"), (b"id\tq1\na\t1\n", "tabs")],
)
def test_a_file_separated_by_semicolons_or_tabs_asks_for_commas(
    tmp_path, data, separator
):
    assert refusal(tmp_path, data) == [
        f"FILE: row 1: the columns are separated by {separator}; "
        "save the file with commas (CSV UTF-8)"
    ]


def test_a_missing_file_or_a_folder_cannot_be_read(tmp_path):
    with pytest.raises(CsvFileError, match="cannot be read: No such file"):
        read_csv_file(tmp_path / "nowhere.csv")
    with pytest.raises(CsvFileError, match="cannot be read: Is a directory"):
        read_csv_file(tmp_path)


@pytest.mark.parametrize(
    ("column", "letters"), [(1, "A"), (10, "J"), (26, "Z"), (27, "AA"), (703, "AAA")]
)
def test_columns_are_lettered_as_a_spreadsheet_letters_them(column, letters):
    assert column_letter(column) == letters
