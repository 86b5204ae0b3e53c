"""customer.name.read: the roles that serve customers see names in full on every surface, the others masked."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.customers.service import records
from bankcrm.models.task import Task
from tests.conftest import signed_in, token_for, user_id
from tests.factories import make_customer
from tests.households.helpers import SH, A, B, derive, given_people, household_of, link

WANG = "91000000001"  # 王小明, am1's Beijing individual
FIRM = "91000000011"  # a Beijing company: its name is not personal data


def given_customers(db: Session, settings: Settings) -> int:
    """王小明 with an open maturity task of am1, a company, and the household {张甲, 李乙, 陈静 (Shanghai)}."""
    wang = make_customer(db, WANG, name="王小明")
    records.set_name(wang, "王小明")  # its pinyin and search keys, as the intake writes them
    make_customer(db, FIRM, name="北京星河科技有限公司", kind="corporate")
    db.add(
        Task(
            kind="MATURITY",
            customer_id=wang.id,
            assignee_id=user_id(db, "am1"),
            holding_kind="account",
            product_code="TD1Y",
            maturity_date=date(2026, 12, 10),
            window_days=7,
            due_date=date(2026, 12, 10),
            amount_due=500_000,
            status="OPEN",
        )
    )
    people = given_people(db)
    link(db, people, A, B, "SPOUSE")
    link(db, people, SH, A, "PARENT_OF")
    derive(db, settings)
    db.commit()
    return household_of(db, A)


def _names_on_surfaces(make_client: object, username: str, family: int) -> dict[str, object]:
    """What ``username`` is shown as names on the list, search, 360° view, household, export and API read."""
    browser = signed_in(make_client(), username)  # type: ignore[operator]
    api = make_client()  # type: ignore[operator]
    headers = token_for(api, username)
    export = browser.get("/customers/export.csv?sort=cif_no")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8").removeprefix("\ufeff"))))
    household = api.get(f"/api/v1/households/{family}", headers=headers).json()
    return {
        "list": "王小明" in browser.get("/customers?q=wxm").text,
        "list_masked": "王**" in browser.get("/customers?q=wxm").text,
        "list_api": [(c["cif_no"], c["name"]) for c in api.get("/api/v1/customers", headers=headers).json()["items"]],
        "search": [n for n in ("王小明", "王**") if n in browser.get("/search?q=wangxiaoming").text],
        "view_360": [n for n in ("王小明", "王**") if n in browser.get(f"/customers/{WANG}/360").text],
        "household_page": [n for n in ("张甲", "张*") if n in browser.get(f"/households/{family}").text],
        "household_api": [m["name"] for m in household["members"]],
        "export": [(r[0], r[3]) for r in rows[1:]],
        "read": api.get(f"/api/v1/customers/{WANG}", headers=headers).json()["name"],
        "firm": api.get(f"/api/v1/customers/{FIRM}", headers=headers).json()["name"],
    }


def test_a_role_with_the_permission_sees_names_in_full_and_the_product_manager_masked(
    make_client, db: Session, settings: Settings
) -> None:
    # Given the customers, their household and a task
    family = given_customers(db, settings)
    # When the branch manager (management, Beijing) and the product manager (all customers, no permission) look
    manager = _names_on_surfaces(make_client, "manager", family)
    product = _names_on_surfaces(make_client, "product", family)
    # Then the manager sees individuals' names in full, the product manager masked; companies in full for both
    everyone = [
        (A, "张甲"),
        (B, "李乙"),
        ("92000000003", "王丙"),
        ("92000000004", "赵丁"),
        ("92000000005", "钱戊"),
        ("92000000006", "孙己"),
        ("92000000011", "北京星河科技有限公司"),
    ]
    assert manager == {
        "list": True,
        "list_masked": False,
        "list_api": [(WANG, "王小明"), (FIRM, "北京星河科技有限公司"), *everyone],
        "search": ["王小明"],
        "view_360": ["王小明"],
        "household_page": ["张甲"],
        "household_api": ["张甲", "李乙", "—"],  # the Shanghai member stays outside the manager's unit
        "export": [(WANG, "王小明"), (FIRM, "北京星河科技有限公司"), *everyone],
        "read": "王小明",
        "firm": "北京星河科技有限公司",
    }
    masked = [(A, "张*"), (B, "李*"), ("92000000003", "王*"), ("92000000004", "赵*"), ("92000000005", "钱*")]
    masked += [("92000000006", "孙*"), ("92000000011", "北京星河科技有限公司"), (SH, "陈*")]
    assert product == {
        "list": False,
        "list_masked": True,
        "list_api": [(WANG, "王**"), (FIRM, "北京星河科技有限公司"), *masked],
        "search": ["王**"],
        "view_360": ["王**"],
        "household_page": ["张*"],
        "household_api": ["张*", "李*", "陈*"],
        "export": [(WANG, "王**"), (FIRM, "北京星河科技有限公司"), *masked],
        "read": "王**",
        "firm": "北京星河科技有限公司",
    }


def test_revoking_the_permission_masks_names_for_the_role_and_granting_it_shows_them(
    client: TestClient, make_client, db: Session, settings: Settings
) -> None:
    # Given am1 (account manager) with its task on 王小明, and the admin
    family = given_customers(db, settings)
    admin = token_for(client, "admin")
    am1 = signed_in(make_client(), "am1")
    am1_api = token_for(client, "am1")
    role = next(r for r in client.get("/api/v1/roles", headers=admin).json() if r["code"] == "account_manager")
    granted = role["permissions"]
    assert "customer.name.read" in granted

    def shown() -> tuple[str, str, str, list[str], str]:
        tasks = client.get("/api/v1/tasks", headers=am1_api).json()["items"]
        page = am1.get("/tasks").text
        household = client.get(f"/api/v1/households/{family}", headers=am1_api).json()
        return (
            tasks[0]["customer_name"],
            "王小明" if "王小明" in page else "王**" if "王**" in page else "",
            client.get(f"/api/v1/customers/{WANG}", headers=am1_api).json()["name"],
            [m["name"] for m in household["members"]],
            am1.get("/tasks/export.csv").content.decode("utf-8").splitlines()[1].split(",")[3],
        )

    # Then am1 sees the name in full on its tasks, the API read, its household and the task export
    assert shown() == ("王小明", "王小明", "王小明", ["张甲", "李乙", "—"], "王小明")
    # When the admin revokes the permission from account managers
    revoked = [p for p in granted if p != "customer.name.read"]
    response = client.put("/api/v1/roles/account_manager/permissions", json={"permissions": revoked}, headers=admin)
    assert response.status_code == 200, response.text
    # Then the same pages show am1 the masked forms, and nothing else changes for it
    assert shown() == ("王**", "王**", "王**", ["张*", "李*", "—"], "王**")
    # When it is granted again, the names are back
    client.put("/api/v1/roles/account_manager/permissions", json={"permissions": granted}, headers=admin)
    assert shown() == ("王小明", "王小明", "王小明", ["张甲", "李乙", "—"], "王小明")


def test_the_detail_page_offers_show_for_the_name_only_to_those_who_see_it_masked(
    make_client, db: Session, settings: Settings
) -> None:
    # Given 王小明, and the risk manager (may reveal, does not see names) and am1 (sees names)
    given_customers(db, settings)
    risk = signed_in(make_client(), "risk").get(f"/customers/{WANG}").text
    am1 = signed_in(make_client(), "am1").get(f"/customers/{WANG}").text
    # Then the risk manager sees the masked name with its audited "Show" button; am1 the name and no button
    assert '<span class="unmaskable" id="customer-name">王**</span>' in risk and 'data-unmask="name"' in risk
    assert '<span class="unmaskable" id="customer-name">王小明</span>' in am1 and 'data-unmask="name"' not in am1
