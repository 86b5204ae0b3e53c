"""The HTTP response for a list export in CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi.responses import Response

from bankcrm.errors import NotFound
from bankcrm.kit.export import to_csv, to_xlsx
from bankcrm.kit.i18n import N_

MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_response(fmt: str, name: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A download of the rows as ``name.csv`` or ``name.xlsx``."""
    if fmt not in MEDIA:
        raise NotFound(N_("Unknown export format."))
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, sheet=name)
    return Response(
        body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )
