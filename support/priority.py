"""Priority from urgency × impact, as GLPI computes it (its default matrix), and the SLA
targets per priority. Pure; 1 = very low … 5 = very high, 6 = major (set by an agent)."""

# GLPI's default matrix, priority_<urgency><impact> (install/empty_data.php).
MATRIX: dict[tuple[int, int], int] = {
    (1, 1): 1, (1, 2): 1, (1, 3): 2, (1, 4): 2, (1, 5): 2,
    (2, 1): 1, (2, 2): 2, (2, 3): 2, (2, 4): 3, (2, 5): 3,
    (3, 1): 2, (3, 2): 2, (3, 3): 3, (3, 4): 4, (3, 5): 4,
    (4, 1): 2, (4, 2): 3, (4, 3): 4, (4, 4): 4, (4, 5): 5,
    (5, 1): 2, (5, 2): 3, (5, 3): 4, (5, 4): 5, (5, 5): 5,
}  # fmt: skip
MAJOR = 6

# What the person's « bloque un travail urgent » box means in GLPI's scale.
URGENT, NORMAL = 4, 3
# One person's mailbox: GLPI's "low" impact; an agent raises it when many are hit.
DEFAULT_IMPACT = 2

# Opening-hours seconds to a first response, by priority: within the seed's promise of
# « 30 minutes à 48 heures » (48 hours ≈ six working days of eight hours).
FIRST_RESPONSE_TARGET = {6: 30 * 60, 5: 60 * 60, 4: 2 * 3600, 3: 8 * 3600, 2: 16 * 3600, 1: 48 * 3600}


def priority(urgency: int, impact: int) -> int:
    return MATRIX[(min(max(urgency, 1), 5), min(max(impact, 1), 5))]
