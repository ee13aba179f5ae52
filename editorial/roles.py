"""The people who work on the content, as Django groups.

The groups and their permissions are created by data migrations; these names
are how code and tests refer to them.
"""

EDITORS = "Editors"
ADVISORY_BOARD = "Advisory Board"
MANAGING_EDITORS = "Managing Editors"
ROLES = (EDITORS, ADVISORY_BOARD, MANAGING_EDITORS)
