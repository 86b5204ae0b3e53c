"""Where a delivered record without an identity match goes: linked, for a reviewer, or a new customer.

docs/matching.md "Scoring a delivered record" describes the scorer. Until it is wired in, no candidate
scores, and every record is a new customer: ``Outcome.NEW`` is the right answer when nothing matches.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.kit.crypto import FieldCipher
from bankcrm.matching.schemas import Outcome, Placement

ROW = "_row"  # the line number of each record in its file: the key of the answer


def place(db: Session, cipher: FieldCipher, records: pl.DataFrame) -> dict[int, Placement]:
    """Each record's placement by its ``_row``: the best candidate customer against settings.match_upper/lower."""
    del db, cipher
    return {int(row): Placement(Outcome.NEW) for row in records.get_column(ROW).to_list()}
