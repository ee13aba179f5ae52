"""Reordering children under a unique (parent, order) constraint.

Swapping two positions would break the constraint half-way through, so rows
that are about to move are first parked out of the way with one UPDATE (which
writes no history, as nothing a person did happened there), then saved at
their final positions, each with its own history row.
"""

from django.db.models import F

PARKING_OFFSET = 1_000_000


def park(model, pks) -> None:
    """Move the rows `pks` of `model` out of the way of every real position."""
    if pks:
        model.objects.filter(pk__in=pks).update(order=F("order") + PARKING_OFFSET)


def park_moving_rows(rows_with_positions) -> None:
    """Park the saved rows whose position will change; `rows_with_positions` is (row, new_order) pairs."""
    moving = [row for row, position in rows_with_positions if row.pk and row.order != position]
    if moving:
        park(type(moving[0]), [row.pk for row in moving])
