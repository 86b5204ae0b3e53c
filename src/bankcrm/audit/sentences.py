"""The audit log read as sentences: one message per recorded action, and a label per kind of record.

A new audited action needs its sentence here (tests/audit/test_sentences.py compares this table with the code).
"""

from __future__ import annotations

import re

from bankcrm.kit.i18n import N_, gettext_for

APPROVED = N_("%(actor)s approved %(entity)s")
REJECTED = N_("%(actor)s rejected %(entity)s")
SUBMITTED = N_("%(actor)s submitted %(entity)s")
CREATED = N_("%(actor)s created %(entity)s")
CHANGED = N_("%(actor)s changed %(entity)s")

# action → message id; an (action, outcome) key words an outcome other than success its own way.
SENTENCES: dict[str | tuple[str, str], str] = {
    "assignment_request.approve": APPROVED,
    "assignment_request.export": N_("%(actor)s exported the assignment requests"),
    "assignment_request.reject": REJECTED,
    "assignment_request.submit": SUBMITTED,
    "audit.export": N_("%(actor)s exported the audit log"),
    "auth.login": N_("%(actor)s signed in"),
    ("auth.login", "failure"): N_("A sign-in as %(actor)s failed"),
    "auth.logout": N_("%(actor)s signed out"),
    "auth.token_issued": N_("%(actor)s was issued an API token"),
    "auth.token_revoked": N_("%(actor)s revoked an API token"),
    "authz.csrf_failed": N_("A form sent by %(actor)s failed its CSRF check"),
    "authz.denied": N_("%(actor)s was refused an action that needs a permission they lack"),
    "authz.out_of_scope": N_("%(actor)s asked for %(entity)s outside their data scope"),
    "batch.nightly": N_("%(actor)s ran the nightly batch"),
    "change_request.approve": APPROVED,
    "change_request.export": N_("%(actor)s exported the change requests"),
    "change_request.reject": REJECTED,
    "change_request.submit": SUBMITTED,
    "contribution.computed": N_("%(actor)s computed the customers' contribution"),
    "contribution.export": N_("%(actor)s exported a contribution roll-up"),
    "corporate_group.accepted": N_("%(actor)s accepted %(entity)s"),
    "corporate_group.export": N_("%(actor)s exported the corporate groups"),
    "corporate_group.rejected": REJECTED,
    "corporate_group.superseded": N_("%(actor)s marked %(entity)s as superseded"),
    "currency.activated": N_("%(actor)s activated %(entity)s"),
    "currency.deactivated": N_("%(actor)s deactivated %(entity)s"),
    "customer.create": CREATED,
    "customer.export": N_("%(actor)s exported the customer list"),
    "customer.merge": N_("%(actor)s merged another customer into %(entity)s"),
    "customer.unmerge": N_("%(actor)s undid a merge into %(entity)s"),
    "churn.scored": N_("%(actor)s scored the customers' churn risk"),
    "churn.trained": N_("%(actor)s trained %(entity)s"),
    "customer.tag_applied": N_("%(actor)s tagged %(entity)s"),
    "customer.tag_removed": N_("%(actor)s removed a tag from %(entity)s"),
    "customer.update": CHANGED,
    "customer_link.created": N_("%(actor)s recorded %(entity)s"),
    "customer_link.ended": N_("%(actor)s ended %(entity)s"),
    "insight.dashboard_export": N_("%(actor)s exported a value dashboard table"),
    "warning.action": N_("%(actor)s recorded an action on %(entity)s"),
    "warning.escalated": N_("%(actor)s escalated %(entity)s to the branch manager"),
    "warning.evaluated": N_("%(actor)s evaluated the early-warning signals"),
    "warning.model_intake": N_("%(actor)s took in a churn model's warnings"),
    "warning.outcome": N_("%(actor)s recorded the outcome of %(entity)s"),
    "warning.participant": N_("%(actor)s brought staff into %(entity)s"),
    "warning.winback_plan": N_("%(actor)s wrote the win-back plan of %(entity)s"),
    "lifecycle.evaluated": N_("%(actor)s evaluated the customers' lifecycle stages"),
    "lifecycle.export": N_("%(actor)s exported the lifecycle stage distribution"),
    "activity.create": N_("%(actor)s recorded %(entity)s"),
    "activity.update": CHANGED,
    "calendar_feed.create": N_("%(actor)s made a personal calendar feed"),
    "calendar_feed.revoke": N_("%(actor)s revoked a personal calendar feed"),
    "opportunity.create": CREATED,
    "opportunity.export": N_("%(actor)s exported the opportunities"),
    "opportunity.stage": N_("%(actor)s moved %(entity)s to another stage"),
    "opportunity.win_confirmed": N_("%(actor)s confirmed the win of %(entity)s"),
    "opportunity.wins_proposed": N_("%(actor)s proposed wins of opportunities from the holdings"),
    "segment.changed": CHANGED,
    "segment.created": CREATED,
    "segment.deleted": N_("%(actor)s deleted %(entity)s"),
    "segment.exported": N_("%(actor)s exported the members of %(entity)s"),
    "segment.refreshed": N_("%(actor)s refreshed the segments' members"),
    "tag.created": CREATED,
    "tag.recomputed": N_("%(actor)s recomputed the rule tags"),
    "db.backup": N_("%(actor)s backed up the database"),
    "guarantee_circle.export": N_("%(actor)s exported the guarantee circles"),
    "holdings.figures": N_("%(actor)s computed the holdings figures"),
    "holdings.maturity_tasks": N_("%(actor)s created the maturity follow-up tasks"),
    "calendar_day.removed": N_("%(actor)s removed the bank's entry for %(entity)s"),
    "calendar_day.set": N_("%(actor)s set %(entity)s in the working calendar"),
    "household.derived": N_("%(actor)s derived the households"),
    "match.duplicates_found": N_("%(actor)s looked for duplicate customers"),
    "household.head_set": N_("%(actor)s set the head of %(entity)s"),
    "household.member_added": N_("%(actor)s added a member to %(entity)s"),
    "household.member_removed": N_("%(actor)s removed a member from %(entity)s"),
    "ingest.loaded": N_("%(actor)s loaded %(entity)s"),
    "ingest.rejects.unmask": N_("%(actor)s viewed the rejected rows of %(entity)s in clear"),
    "ingest.replaced": N_("%(actor)s loaded %(entity)s in place of an earlier file"),
    "ingest.rerun": N_("%(actor)s re-ran %(entity)s"),
    "ingest.runs.export": N_("%(actor)s exported the ingest runs"),
    "job.queued": N_("%(actor)s queued %(entity)s"),
    "keys.rotate": N_("%(actor)s rotated the encryption keys"),
    "lead.accepted": N_("%(actor)s accepted %(entity)s"),
    "lead.assigned": N_("%(actor)s assigned %(entity)s"),
    "lead.converted": N_("%(actor)s converted %(entity)s"),
    "lead.created": CREATED,
    "lead.customer_submitted": N_("%(actor)s submitted a new customer for %(entity)s"),
    "lead.expired": N_("%(actor)s returned the unaccepted leads to the pool"),
    "lead.moved": N_("%(actor)s moved %(entity)s"),
    "lead.referred": N_("%(actor)s referred a customer in %(entity)s"),
    "lead.rota_set": N_("%(actor)s changed a round robin of %(entity)s"),
    "leads.batch": N_("%(actor)s ran the leads step"),
    "loan.export": N_("%(actor)s exported the loans"),
    "maturity.export": N_("%(actor)s exported the maturities"),
    "org.export": N_("%(actor)s exported the org units"),
    "org_unit.create": CREATED,
    "org_unit.update": CHANGED,
    "pii.unmask": N_("%(actor)s viewed personal data of %(entity)s in clear"),
    "portfolio.export": N_("%(actor)s exported a portfolio"),
    "pricing_change.approve": APPROVED,
    "pricing_change.reject": REJECTED,
    "pricing_change.submit": N_("%(actor)s proposed %(entity)s"),
    "quality.gaps_export": N_("%(actor)s exported customers with data gaps"),
    "insight.tier_watch_export": N_("%(actor)s exported a tier watch list"),
    "insight.snapshot": N_("%(actor)s computed the monthly customer snapshot"),
    "quality.snapshot": N_("%(actor)s took the monthly data-quality figures"),
    "relationships.derived": N_("%(actor)s derived the customer relationships"),
    "role.set_permissions": N_("%(actor)s changed the permissions of %(entity)s"),
    "task.completed": N_("%(actor)s completed %(entity)s"),
    "task.export": N_("%(actor)s exported the tasks"),
    "transaction.export": N_("%(actor)s exported transactions"),
    "user.assign_roles": N_("%(actor)s changed the roles of %(entity)s"),
    "user.create": CREATED,
    "user.disable": N_("%(actor)s disabled %(entity)s"),
    "user.enable": N_("%(actor)s enabled %(entity)s"),
    "user.export": N_("%(actor)s exported the users"),
    "user.reset_password": N_("%(actor)s reset the password of %(entity)s"),
    "target.set": N_("%(actor)s set %(entity)s"),
    "user.update": CHANGED,
}

# outcome → its label (the audit log page shows the same words as badges).
OUTCOMES: dict[str, str] = {"success": N_("Success"), "failure": N_("Failure"), "denied": N_("Denied")}

# entity_type → message id of the record's kind, as a sentence names it ("customer 90000000037").
ENTITIES: dict[str, str] = {
    "activity": N_("activity %(id)s"),
    "assignment_request": N_("assignment request %(id)s"),
    "calendar_day": N_("day %(id)s"),
    "change_request": N_("change request %(id)s"),
    "corporate_group": N_("corporate group %(id)s"),
    "currency": N_("currency %(id)s"),
    "customer": N_("customer %(id)s"),
    "early_warning": N_("warning %(id)s"),
    "pricing_change": N_("pricing change %(id)s"),
    "customer_link": N_("relationship %(id)s"),
    "database": N_("database %(id)s"),
    "guarantee_circle": N_("guarantee circle %(id)s"),
    "household": N_("household %(id)s"),
    "lead": N_("lead %(id)s"),
    "ingest_run": N_("ingest run %(id)s"),
    "job_run": N_("job run %(id)s"),
    "opportunity": N_("opportunity %(id)s"),
    "org_unit": N_("org unit %(id)s"),
    "role": N_("role %(id)s"),
    "segment": N_("segment %(id)s"),
    "tag": N_("tag %(id)s"),
    "sales_target": N_("target %(id)s"),
    "task": N_("task %(id)s"),
    "user": N_("user %(id)s"),
}


def sentence(
    locale: str, action: str, outcome: str, actor: str | None, entity_type: str | None, entity_id: str | None
) -> str:
    """One event as a sentence in the reader's language; an action missing from the table reads 'actor: action'."""
    who = actor or gettext_for(locale, N_("the system"))
    if entity_type in ENTITIES:
        entity = gettext_for(locale, ENTITIES[entity_type], {"id": entity_id or ""})
    else:
        entity = f"{(entity_type or '').replace('_', ' ')} {entity_id or ''}".strip() or "—"
    message = SENTENCES.get((action, outcome)) or SENTENCES.get(action)
    if message is None:
        return f"{who}: {action}"
    text = gettext_for(locale, message, {"actor": who, "entity": entity})
    return _spaced(text) if locale.startswith("zh") else text


_HAN = "\u3400-\u9fff\uf900-\ufaff"
_HAN_GAP = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")
_HAN_LATIN = re.compile(f"(?<=[{_HAN}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_HAN}])")


def _spaced(text: str) -> str:
    """Chinese spacing: none between two Chinese characters ("系统导出了"), one between Chinese and Latin or digits
    ("客户 90000000037 的"), whichever names the sentence was filled with."""
    return _HAN_LATIN.sub(" ", _HAN_GAP.sub("", text))


def outcome_label(locale: str, outcome: str) -> str:
    """The outcome in the reader's language; an unknown code reads as itself."""
    return gettext_for(locale, OUTCOMES[outcome]) if outcome in OUTCOMES else outcome
