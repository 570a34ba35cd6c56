def N_(text: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """Mark a label for translation where it is defined; templates translate it with _()."""
    return text
