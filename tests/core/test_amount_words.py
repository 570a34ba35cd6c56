"""An amount in words as the State Treasury payment forms write it ("Tổng số tiền ghi bằng chữ")."""
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.amount_words import amount_in_words

CASES = [
    # units, tens: "mười", "mốt" after a tens digit from 2, "lăm" after any tens digit, "bốn" (not "tư")
    (0, "Không đồng"),
    (1, "Một đồng"),
    (4, "Bốn đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (11, "Mười một đồng"),
    (14, "Mười bốn đồng"),
    (15, "Mười lăm đồng"),
    (19, "Mười chín đồng"),
    (20, "Hai mươi đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi bốn đồng"),
    (25, "Hai mươi lăm đồng"),
    (91, "Chín mươi mốt đồng"),
    (99, "Chín mươi chín đồng"),
    # hundreds: "linh" for a zero tens digit, "năm" after "linh"
    (100, "Một trăm đồng"),
    (101, "Một trăm linh một đồng"),
    (104, "Một trăm linh bốn đồng"),
    (105, "Một trăm linh năm đồng"),
    (110, "Một trăm mười đồng"),
    (111, "Một trăm mười một đồng"),
    (115, "Một trăm mười lăm đồng"),
    (121, "Một trăm hai mươi mốt đồng"),
    (999, "Chín trăm chín mươi chín đồng"),
    # thousands: a non-leading group reads "không trăm"; the leading group never does
    (1000, "Một nghìn đồng"),
    (1001, "Một nghìn không trăm linh một đồng"),
    (1010, "Một nghìn không trăm mười đồng"),
    (1015, "Một nghìn không trăm mười lăm đồng"),
    (1021, "Một nghìn không trăm hai mươi mốt đồng"),
    (1100, "Một nghìn một trăm đồng"),
    (10000, "Mười nghìn đồng"),
    (15000, "Mười lăm nghìn đồng"),
    (21000, "Hai mươi mốt nghìn đồng"),
    (50000, "Năm mươi nghìn đồng"),
    (100000, "Một trăm nghìn đồng"),
    (105000, "Một trăm linh năm nghìn đồng"),
    (500000, "Năm trăm nghìn đồng"),
    # millions: zero groups are skipped
    (1000000, "Một triệu đồng"),
    (1000001, "Một triệu không trăm linh một đồng"),
    (1000005, "Một triệu không trăm linh năm đồng"),
    (1050000, "Một triệu không trăm năm mươi nghìn đồng"),
    (1275000, "Một triệu hai trăm bảy mươi lăm nghìn đồng"),
    (2000010, "Hai triệu không trăm mười đồng"),
    (12345678, "Mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng"),
    (100000000, "Một trăm triệu đồng"),
    # tỷ and the repeated scales past it
    (1000000000, "Một tỷ đồng"),
    (1000000005, "Một tỷ không trăm linh năm đồng"),
    (1205000000, "Một tỷ hai trăm linh năm triệu đồng"),
    (1000000000000, "Một nghìn tỷ đồng"),
    (1001000000000, "Một nghìn tỷ không trăm linh một tỷ đồng"),
    (
        999999999999999,
        "Chín trăm chín mươi chín nghìn tỷ chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu"
        " chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng",
    ),
    (10**15, "Một triệu tỷ đồng"),
    (10**15 + 500 * 10**9, "Một triệu tỷ năm trăm tỷ đồng"),
    (10**18, "Một tỷ tỷ đồng"),
    (
        # every group non-zero
        123456789012345678,
        "Một trăm hai mươi ba triệu tỷ bốn trăm năm mươi sáu nghìn tỷ bảy trăm tám mươi chín tỷ"
        " không trăm mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám đồng",
    ),
    (
        # every group non-zero, with "linh", "mốt" and "lăm" inside
        21001105015025,
        "Hai mươi mốt nghìn tỷ không trăm linh một tỷ một trăm linh năm triệu"
        " không trăm mười lăm nghìn không trăm hai mươi lăm đồng",
    ),
    # negative amounts
    (-1, "Âm một đồng"),
    (-100, "Âm một trăm đồng"),
    (-1050000, "Âm một triệu không trăm năm mươi nghìn đồng"),
]


@pytest.mark.parametrize(("amount", "words"), CASES, ids=[str(amount) for amount, _ in CASES])
def test_an_amount_reads_as_the_treasury_forms_write_it(amount, words):
    assert amount_in_words(amount) == words


@pytest.mark.parametrize(("amount", "words"), CASES, ids=[str(amount) for amount, _ in CASES])
def test_the_words_are_capitalised_once_and_nfc(amount, words):
    text = amount_in_words(amount)
    assert text[0].isupper()
    assert text[1:] == text[1:].lower()
    assert unicodedata.is_normalized("NFC", text)
    assert unicodedata.is_normalized("NFC", words)  # the table itself is precomposed


@pytest.mark.parametrize("value", [True, False, 1.0, 1500.5, "1000", None, b"1"])
def test_anything_but_an_int_is_refused(value):
    with pytest.raises(TypeError):
        amount_in_words(value)


SCALE_WORDS = {"nghìn", "triệu", "tỷ"}
DIGIT_VALUES = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "lăm": 5,
                "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
SCALE_VALUES = {"nghìn": 10**3, "triệu": 10**6, "tỷ": 10**9}


def _segments(text):
    """The words of each group, leading group first: the runs of words between scale words."""
    segments, current = [], []
    for word in text.removesuffix(" đồng").lower().split(" "):
        if word in SCALE_WORDS:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(word)
    if current:
        segments.append(current)
    return segments


def _read_back(text):
    """An independent reading of the words as a number: each group's value times its scale words."""
    total, group, digit, multiplier = 0, 0, 0, 0
    for word in text.removesuffix(" đồng").lower().split(" "):
        if word in SCALE_VALUES:
            multiplier = (multiplier or 1) * SCALE_VALUES[word]
            continue
        if multiplier:  # the first word of the next group: the one before is complete
            total, group, digit, multiplier = total + (group + digit) * multiplier, 0, 0, 0
        if word in DIGIT_VALUES:
            digit = DIGIT_VALUES[word]
        elif word == "trăm":
            group, digit = group + 100 * digit, 0
        elif word == "mươi":
            group, digit = group + 10 * digit, 0
        elif word == "mười":
            group += 10
        else:
            assert word == "linh", word
    return total + (group + digit) * (multiplier or 1)


def test_the_reading_back_helper_reads_the_table():
    for amount, words in CASES:
        if amount >= 0:
            assert _read_back(words) == amount, words


@given(st.integers(min_value=0, max_value=10**18))
def test_every_amount_reads_by_the_rules(amount):
    text = amount_in_words(amount)
    assert text.endswith(" đồng")
    assert "  " not in text and text == text.strip()
    assert "mươi một" not in text and "mươi năm" not in text
    assert text[0].isupper() and text[1:] == text[1:].lower()
    assert unicodedata.is_normalized("NFC", text)
    groups = []
    while amount:
        amount, group = divmod(amount, 1000)
        groups.append(group)
    segments = _segments(text)
    assert len(segments) == max(1, sum(1 for group in groups if group))  # zero groups are skipped
    assert segments[0][0] != "không" or text == "Không đồng"
    for segment in segments[1:]:
        assert segment[1] == "trăm", text  # never a bare tens or units after the leading group


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_the_words_read_back_as_the_amount(amount):
    text = amount_in_words(amount)
    if amount < 0:
        assert text.startswith("Âm ")
        assert text[3:] == amount_in_words(-amount).lower()
        text = text[3:]
    assert _read_back(text) == abs(amount)
