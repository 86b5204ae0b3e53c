"""Key rotation for the account and contract numbers that ingest stores encrypted."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor
from bankcrm.audit import service as audit_service
from bankcrm.ingest import repository
from bankcrm.ingest.service.rejects import reencrypt
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.models.holding import Account, LoanContract

PAGE = 10_000


def rotate_numbers(db: Session, cipher: FieldCipher, actor: Actor) -> int:
    """Re-encrypt account and contract numbers not under the current key, page by page; returns how many."""
    done = 0
    for model, number in ((Account, "account_no"), (LoanContract, "contract_no")):
        table = model.__tablename__
        after = 0
        while rows := repository.encrypted_numbers(db, model, after, PAGE):
            after = rows[-1][0]
            changed = [
                {"id": i, f"{number}_enc": cipher.reencrypt(token, aad_for(table, number, index))}
                for i, index, token in rows
                if cipher.needs_rotation(token)
            ]
            repository.update_rows(db, model, changed)
            done += len(changed)
    audit_service.record(
        db,
        actor,
        "keys.rotate",
        detail=f"{done} account and contract numbers re-encrypted (key version {cipher.current_version})",
    )
    return done


def rotate_rejects(db: Session, cipher: FieldCipher, actor: Actor) -> int:
    """Re-encrypt rejected rows not under the current key, page by page; returns how many."""
    done = 0
    after = 0
    while rows := repository.encrypted_rejects(db, after, PAGE):
        after = rows[-1].id
        for row in rows:
            token = reencrypt(row, cipher)
            if token is not None:
                row.raw_enc = token
                done += 1
        db.flush()
    audit_service.record(
        db,
        actor,
        "keys.rotate",
        detail=f"{done} rejected ingest rows re-encrypted (key version {cipher.current_version})",
    )
    return done
