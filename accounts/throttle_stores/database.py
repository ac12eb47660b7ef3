"""Throttle states as accounts.models.Throttle rows, under the database's row lock.

An atomic change is one transaction holding the rows it read (select_for_update on
PostgreSQL, the write lock SQLite's IMMEDIATE transactions take): thirty-two requests at
once queue on the row and each sees what the previous one wrote.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from ..models import Throttle
from ..throttle import State
from . import Slot, Slots, T

# A first attempt for a new key may meet another one inserting the same row (PostgreSQL;
# SQLite's IMMEDIATE transactions serialise them): the loser starts again and finds it.
INSERT_RETRIES = 3
STATE_FIELDS = ["failures", "last_failure", "paused_until", "recent", "window_start", "consecutive"]


def _state(row: Throttle | None) -> State:
    if row is None:
        return State()
    return State(
        failures=row.failures,
        last_failure=row.last_failure,
        paused_until=row.paused_until,
        recent=tuple(row.recent),
        window_start=row.window_start,
        consecutive=row.consecutive,
    )


@dataclass
class _Row:
    """One counter row, locked for this transaction; `row` is None until it is first written."""

    row: Throttle | None


class _RowSlots:
    def __init__(self) -> None:
        self.rows: dict[Slot, _Row] = {}

    def load(self, kind: str, key: str) -> State:
        if (kind, key) not in self.rows:
            # No get_or_create: a clean record costs no row until a failure is actually counted.
            row = Throttle.objects.select_for_update().filter(kind=kind, key=key).first()
            self.rows[kind, key] = _Row(row)
        return _state(self.rows[kind, key].row)

    def save(self, kind: str, key: str, state: State) -> None:
        """One statement: an INSERT for a new record, else an UPDATE of the state only."""
        slot = self.rows.setdefault((kind, key), _Row(None))
        row = slot.row or Throttle(kind=kind, key=key)
        row.failures, row.last_failure, row.paused_until = state.failures, state.last_failure, state.paused_until
        row.recent, row.window_start, row.consecutive = list(state.recent), state.window_start, state.consecutive
        if slot.row is None:
            row.save(force_insert=True)
            slot.row = row
        else:
            row.save(update_fields=STATE_FIELDS)

    def delete(self, kind: str, key: str) -> None:
        slot = self.rows.get((kind, key))
        if slot is None:
            Throttle.objects.filter(kind=kind, key=key).delete()
        elif slot.row is not None:
            slot.row.delete()
            slot.row = None


class DatabaseStore:
    def atomically(self, change: Callable[[Slots], T], prefetch: Sequence[Slot] = ()) -> T:
        # Rows are locked as they are read (prefetch is for stores that read in batches).
        for attempt in range(INSERT_RETRIES):
            try:
                with transaction.atomic():
                    return change(_RowSlots())
            except IntegrityError:
                if attempt == INSERT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def peek(self, kind: str, key: str) -> State:
        return _state(Throttle.objects.filter(kind=kind, key=key).first())

    def delete(self, kind: str, keys: Sequence[str]) -> None:
        if len(keys) == 1:
            Throttle.objects.filter(kind=kind, key=keys[0]).delete()
        elif keys:
            Throttle.objects.filter(kind=kind, key__in=keys).delete()

    def give_back_address(self, key: str) -> None:
        """No read, one or two writes."""
        rows = Throttle.objects.filter(kind=Throttle.IP, key=key)
        deleted, _ = rows.filter(failures__lte=1, paused_until__isnull=True).delete()
        if not deleted:
            rows.filter(failures__gt=0).update(failures=F("failures") - 1)

    def window_take(self, kind: str, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        with transaction.atomic():
            row, _ = Throttle.objects.select_for_update().get_or_create(kind=kind, key=key)
            if row.window_start is None or now - row.window_start >= window:
                row.window_start, row.failures = now, 0
            if row.failures >= limit:
                return False
            row.failures += 1
            row.save(update_fields=["window_start", "failures"])
            return True

    def window_give_back(self, kind: str, key: str) -> None:
        with transaction.atomic():
            row = Throttle.objects.select_for_update().filter(kind=kind, key=key).first()
            if row is not None and row.failures:
                row.failures -= 1
                row.save(update_fields=["failures"])

    def entries(self, kind: str | None = None) -> list[tuple[str, str, State]]:
        rows = Throttle.objects.all() if kind is None else Throttle.objects.filter(kind=kind)
        return [(row.kind, row.key, _state(row)) for row in rows.order_by("pk")]

    def put(self, kind: str, key: str, state: State) -> None:
        def overwrite(slots: Slots) -> None:
            slots.load(kind, key)
            slots.save(kind, key, state)

        self.atomically(overwrite)
