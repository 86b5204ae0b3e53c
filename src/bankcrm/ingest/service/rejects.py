"""Rejected rows as stored and shown: masked for everyone, the delivered row only encrypted, both cut to a length."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bankcrm.ingest.checks import UNKNOWN_CODE
from bankcrm.ingest.formats import MASK_AMOUNT, MASK_NUMBER, MASK_TEXT, FileFormat
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.masking import mask_account_number, mask_text
from bankcrm.models.ingest import IngestReject

REJECT_MAX_CHARS = 4096  # settings.ingest_reject_max_chars' default
CUT = "…[cut]"  # ends a row that was cut to the stored length
STARS = "****"
DETAIL_MAX = 60  # a delivered value quoted in a reason (an unknown code) is cut to this
# Any run of 6 or more digits in a value shown as delivered: an account, CIF, phone or ID number
# that a shifted row put into a C1 column is masked too (dates, rates, codes and short counts are not).
_DIGIT_RUN = re.compile(r"[0-9０-９]{6,}")


@dataclass
class Reject:
    """One rejected row: line, field, reason (msgid + params) and the row as delivered.

    ``whole_line``: ``values`` holds the line's text, not its fields (it could not be parsed);
    ``cut``: the values were cut to the stored length.
    """

    line: int
    field: str
    reason: str
    params: dict[str, object]
    values: list[str | None]
    whole_line: bool = False
    cut: bool = False


def _digits(value: str) -> str:
    return _DIGIT_RUN.sub(lambda m: mask_account_number(m.group()), value)


def _cap(values: list[str | None], max_chars: int) -> tuple[list[str | None], bool]:
    """The values cut so that together they hold at most ``max_chars`` characters; whether any were cut."""
    out: list[str | None] = []
    left = max_chars
    for value in values:
        if value is not None and len(value) > left:
            out.append(value[:left])
            return out, True
        out.append(value)
        left -= len(value or "")
    return out, False


def masked_values(reject: Reject, header: list[str], fmt: FileFormat) -> list[str | None]:
    """The row as anyone may see it: C2 columns masked, unknown columns and unparsed lines starred."""
    if reject.whole_line:
        shown: list[str | None] = [STARS]
    else:
        shown = []
        for name, value in zip(header, reject.values, strict=False):
            column = fmt.column(name)
            if value is None:
                shown.append(None)
            elif column is None or column.mask == MASK_AMOUNT:
                shown.append(STARS)  # a column the contract does not know is not known to be C1
            elif column.mask == MASK_NUMBER:
                shown.append(mask_account_number(value))
            elif column.mask == MASK_TEXT:
                shown.append(mask_text(value))
            else:
                shown.append(_digits(value))
    return _marked(shown, reject.cut)


def delivered_values(reject: Reject) -> list[str | None]:
    """The row as delivered (as stored: cut rows end with the cut marker)."""
    return _marked(list(reject.values), reject.cut)


def _marked(values: list[str | None], cut: bool) -> list[str | None]:
    if cut:
        values = [*values[:-1], (values[-1] or "") + CUT] if values else [CUT]
    return values


def masked_params(reject: Reject) -> dict[str, object]:
    """The reason's placeholders as shown: a delivered value quoted in it is masked like a C1 column and cut."""
    params = dict(reject.params)
    if reject.reason == UNKNOWN_CODE and isinstance(params.get("detail"), str):
        detail = _digits(str(params["detail"]))
        params["detail"] = detail if len(detail) <= DETAIL_MAX else detail[:DETAIL_MAX] + CUT
    return params


def _aad(run_id: int, line: int) -> str:
    return aad_for("ingest_reject", "raw", f"{run_id}.{line}")


def stored_row(
    run_id: int, reject: Reject, header: list[str], fmt: FileFormat, cipher: FieldCipher, max_chars: int
) -> dict[str, Any]:
    """The ingest_reject row: masked values and params in clear, the delivered values (cut) encrypted."""
    values, cut = _cap(reject.values, max_chars)
    kept = Reject(reject.line, reject.field, reject.reason, reject.params, values, reject.whole_line, reject.cut or cut)
    sealed = json.dumps({"values": values, "whole_line": kept.whole_line, "cut": kept.cut}, ensure_ascii=False)
    return {
        "run_id": run_id,
        "line_no": reject.line,
        "field": reject.field[:60],
        "reason": reject.reason,
        "params": json.dumps(masked_params(kept), ensure_ascii=False, default=str),
        "raw": json.dumps(masked_values(kept, header, fmt), ensure_ascii=False),
        "raw_enc": cipher.encrypt(sealed, _aad(run_id, reject.line)),
    }


def shown(row: IngestReject) -> Reject:
    """A stored reject as anyone may see it (values already masked, marker included)."""
    return Reject(row.line_no, row.field, row.reason, json.loads(row.params), json.loads(row.raw))


def delivered(row: IngestReject, cipher: FieldCipher) -> Reject | None:
    """A stored reject with the row as delivered (cut as stored), or None when it was stored without it."""
    if row.raw_enc is None:
        return None
    sealed = json.loads(cipher.decrypt(row.raw_enc, _aad(row.run_id, row.line_no)))
    return Reject(
        row.line_no,
        row.field,
        row.reason,
        json.loads(row.params),
        sealed["values"],
        whole_line=sealed["whole_line"],
        cut=sealed["cut"],
    )


def reencrypt(row: IngestReject, cipher: FieldCipher) -> str | None:
    """The row's encrypted values under the current key (key rotation); None when nothing needs doing."""
    if row.raw_enc is None or not cipher.needs_rotation(row.raw_enc):
        return None
    return cipher.reencrypt(row.raw_enc, _aad(row.run_id, row.line_no))
