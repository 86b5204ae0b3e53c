"""The tag catalogue: listed with counts in the reader's scope; bank-specific tags added by an administrator."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.errors import Conflict, FieldError, Forbidden, ValidationFailed
from bankcrm.kit.i18n import N_, label
from bankcrm.kit.time import utcnow
from bankcrm.models.tag import Tag
from bankcrm.tags import filters, repository
from bankcrm.tags.schemas import PALETTE, TagCreate, TagRead

CODE_TAKEN = N_("A tag with this code exists already.")
BAD_COLOUR = N_("Choose one of the palette's colours.")
RULE_NEEDED = N_("A rule tag needs a rule.")
RULE_ONLY_FOR_RULE_TAGS = N_("Only a rule tag has a rule.")


def description(tag: Tag, locale: str) -> str:
    """The tag's description in the reader's language."""
    return tag.description_zh if locale == "zh_CN" else tag.description_en


def read(tag: Tag, locale: str, customers: int) -> TagRead:
    """The API shape of one tag."""
    return TagRead(
        code=tag.code,
        label=label(tag, locale),
        description=description(tag, locale),
        kind=tag.kind,
        colour=tag.colour,
        permission=tag.permission,
        rule=json.loads(tag.rule) if tag.rule else None,
        active=tag.active,
        customers=customers,
    )


def catalogue(db: Session, principal: Principal, *, locale: str) -> list[TagRead]:
    """Every tag in display order with how many customers in the reader's scope carry it now."""
    counts = repository.counts_in_scope(db, principal)
    return [read(t, locale, counts.get(t.code, 0)) for t in repository.tags(db)]


def labels(db: Session, locale: str) -> dict[str, tuple[str, str]]:
    """code → (label in the reader's language, colour) of every tag (for badges in lists and search results)."""
    return {t.code: (label(t, locale), t.colour) for t in repository.tags(db)}


def active_tags(db: Session) -> list[Tag]:
    """The tags in use, in display order (for filters and pickers)."""
    return repository.tags(db, active_only=True)


def create(db: Session, principal: Principal, body: TagCreate, *, locale: str) -> TagRead:
    """Add a bank-specific tag (needs tag.admin); a rule tag's rule is validated, naming the part at fault."""
    if not principal.can("tag.admin"):
        raise Forbidden(audit=denied(principal, f"add tag {body.code}", "tag.admin"))
    if body.colour not in PALETTE:
        raise ValidationFailed(errors=[FieldError("colour", BAD_COLOUR)])
    rule_text = None
    if body.kind == "rule":
        if body.rule is None:
            raise ValidationFailed(errors=[FieldError("rule", RULE_NEEDED)])
        try:
            rule_text = json.dumps(filters.to_json(filters.parse(body.rule)), ensure_ascii=False)
        except filters.RuleError as exc:
            raise ValidationFailed(errors=[FieldError(exc.part, exc.message, exc.params)]) from exc
    elif body.rule is not None:
        raise ValidationFailed(errors=[FieldError("rule", RULE_ONLY_FOR_RULE_TAGS)])
    if repository.tag(db, body.code) is not None:
        raise Conflict(CODE_TAKEN)
    row = Tag(
        code=body.code,
        label_en=body.label_en,
        label_zh=body.label_zh,
        description_en=body.description_en,
        description_zh=body.description_zh,
        kind=body.kind,
        colour=body.colour,
        permission=None if body.kind == "rule" else body.permission,
        rule=rule_text,
        active=True,
        shipped=False,
        sort_order=1000,
        updated_at=utcnow(),
    )
    repository.add_tag(db, row)
    audit_service.record(
        db,
        Actor.of(principal),
        "tag.created",
        entity_type="tag",
        entity_id=row.code,
        changes={"kind": [None, row.kind], "label_en": [None, row.label_en], "rule": [None, rule_text]},
    )
    return read(row, locale, 0)
