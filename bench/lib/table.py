"""Aligned text tables and figures."""

from collections.abc import Sequence


def ms(value: float) -> str:
    return f"{value * 1000:.2f} ms"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    for i, row in enumerate([header, *rows]):
        cells = (
            cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        print("  ".join(cells))
        if i == 0:
            print("  ".join("-" * w for w in widths))
