"""An amount of đồng in words, as the State Treasury payment forms write it ("Tổng số tiền ghi bằng chữ").

Digits are read in groups of three with the scale words "nghìn", "triệu", "tỷ"; past "tỷ" the scales
repeat ("nghìn tỷ" = 10^12, "triệu tỷ" = 10^15, "tỷ tỷ" = 10^18, "nghìn tỷ tỷ" = 10^21, ...). A group
of zeros is skipped; a non-zero group after the leading one reads all three digits ("không trăm",
"linh"), so 1 000 005 is "Một triệu không trăm linh năm đồng". All text is NFC (precomposed).
"""

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")


def _scale(index: int) -> str:
    """The scale word of the index-th group of three digits, counted from the units (0)."""
    words = [_SCALES[index % 3]] if index % 3 else []
    return " ".join(words + ["tỷ"] * (index // 3))


def _tens_and_units(tens: int, units: int) -> list[str]:
    if tens == 0:
        return [DIGITS[units]] if units else []
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _group(number: int, leading: bool) -> list[str]:
    """Words of a group 1..999; a leading group drops a zero hundreds digit ("năm mươi", not
    "không trăm năm mươi")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    if leading and hundreds == 0:
        return _tens_and_units(tens, units)
    words = [DIGITS[hundreds], "trăm"]
    if tens == 0 and units:
        words.append("linh")
    return words + _tens_and_units(tens, units)


def amount_in_words(amount: int) -> str:
    """Write an integer amount of đồng in words: 1275000 -> "Một triệu hai trăm bảy mươi lăm nghìn đồng"."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount_in_words() needs an int, not {type(amount).__name__}")
    groups = []  # the groups of three digits, units first
    rest = abs(amount)
    while rest:
        rest, value = divmod(rest, 1000)
        groups.append(value)
    words = []
    for index in reversed(range(len(groups))):
        if groups[index]:
            words += _group(groups[index], leading=not words) + [_scale(index)]
    text = " ".join(word for word in words if word) or DIGITS[0]
    text = f"âm {text}" if amount < 0 else text
    return f"{text[0].upper()}{text[1:]} đồng"
