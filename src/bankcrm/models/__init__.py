"""The ORM models, one module per domain; import a model from its own module (bankcrm.models.customer).

This package exports no names, so an import says which domain's table it is. It loads every model
module so that ``Base.metadata`` holds every table whichever model is imported first.
"""

from bankcrm.models import (  # noqa: F401 - loaded for Base.metadata, not re-exported
    access,
    assignment,
    audit,
    churn,
    customer,
    earlywarning,
    group,
    holding,
    household,
    ingest,
    insight,
    job,
    lead,
    lifecycle,
    matching,
    org,
    quality,
    relationship,
    sales,
    segment,
    tag,
    task,
    value,
    workcalendar,
    workflow,
)
