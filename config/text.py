"""Words for counts and for people, the same in every command's summary, email and page."""


def counted(number: int, noun: str) -> str:
    """'1 link', '3 links': `noun` in the singular, made plural with an s when the count is not one."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def person_name(user) -> str:
    """A staff member as pages, emails and refusals name them: their full name, else their username."""
    return user.get_full_name() or user.get_username()
