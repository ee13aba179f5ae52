"""Words for counts, the same in every command's summary and every page."""


def counted(number: int, noun: str) -> str:
    """'1 link', '3 links': `noun` in the singular, made plural with an s when the count is not one."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
