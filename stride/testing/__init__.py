"""What every test shares: the named cast, the frozen clock, builders of goals, check-ins and
organisations, and the pytest fixtures that hand them out (``stride.testing.plugin``, loaded
by the root ``conftest.py``).

Tests import names from here (``from stride.testing import Cast, NOW, make_objective``) and
ask for fixtures by name (``cast``, ``clock``, ``world``). Nothing in ``stride`` imports this
package: it sits above every app, like the tests themselves.
"""

from stride.testing.builders import (
    add_reports,
    check_in,
    choose_partner,
    count_queries,
    first_kr,
    make_csv,
    make_objective,
    record,
    row,
    row_counts,
    snapshot,
    table_sizes,
)
from stride.testing.cast import PASSWORD, Cast, build_cast
from stride.testing.clock import NOW, THIS_MONDAY, TODAY, Clock

__all__ = [
    "NOW",
    "PASSWORD",
    "THIS_MONDAY",
    "TODAY",
    "Cast",
    "Clock",
    "add_reports",
    "build_cast",
    "check_in",
    "choose_partner",
    "count_queries",
    "first_kr",
    "make_csv",
    "make_objective",
    "record",
    "row",
    "row_counts",
    "snapshot",
    "table_sizes",
]
