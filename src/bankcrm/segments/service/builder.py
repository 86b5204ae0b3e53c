"""What the builder page offers: the selectable features, attributes, tags, product categories and value tiers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bankcrm.catalogue import service as catalogue_service
from bankcrm.insight import catalogue
from bankcrm.kit.i18n import gettext_for, label
from bankcrm.segments import filters
from bankcrm.segments.service.words import ATTRIBUTE_LABELS
from bankcrm.tags.service import catalogue as tag_catalogue


def options(db: Session, locale: str) -> dict[str, Any]:
    """Choices for the builder's pickers in the reader's language (codes as values)."""
    types = filters.feature_types()
    return {
        "features": [(f.name, f.label(locale), f.type) for f in catalogue.features() if f.name in types],
        "attributes": [
            (name, gettext_for(locale, ATTRIBUTE_LABELS[name]), kind) for name, kind in filters.ATTRIBUTES.items()
        ],
        "tiers": [(t.code, t.label(locale)) for t in catalogue.tiers()],
        "tags": [(t.code, label(t, locale)) for t in tag_catalogue.active_tags(db)],
        "categories": sorted(catalogue_service.labels_of(db, "product_category", locale).items()),
        "ops": {
            "money": filters.NUMBER_OPS,
            "integer": filters.NUMBER_OPS,
            "code": filters.CODE_OPS,
            "change": filters.CHANGE_OPS,
            "date": filters.DATE_OPS,
        },
    }
