"""xlsxwriter as the package uses it: every call that reports failure by its return code raises,
and the page setup every printed sheet shares."""

from __future__ import annotations

A4 = 9  # xlsxwriter's paper code
A4_INCHES = (8.27, 11.69)  # portrait width, then landscape width (the page's height)
SIDE_MARGIN = 0.4  # inches, left and right
TOP_MARGIN, BOTTOM_MARGIN = 0.5, 0.6


class Checked:
    """Wraps an xlsxwriter object so that a call returning a negative code raises.

    ``target`` is the object itself, for the calls that take it (``insert_chart`` takes the
    chart, not its wrapper)."""

    def __init__(self, target):
        self.target = target

    def __getattr__(self, name):
        method = getattr(self.target, name)
        if not callable(method):
            return method

        def call(*args, **kwargs):
            result = method(*args, **kwargs)
            if isinstance(result, int) and not isinstance(result, bool) and result < 0:
                raise RuntimeError(f"xlsxwriter {name}{args[:2]!r} returned {result}")
            return result

        # Kept, so that the next call of the same method skips this lookup: a sheet of a
        # copy for correction makes thousands of calls.
        setattr(self, name, call)
        return call


def a4_page(ws, landscape: bool) -> None:
    """A4 paper, the orientation, and the margins every printed sheet has."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=TOP_MARGIN, bottom=BOTTOM_MARGIN)
