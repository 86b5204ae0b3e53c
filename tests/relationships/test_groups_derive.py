"""The derivation's core-company rule and circles on bare link arrays (no database)."""

from __future__ import annotations

from bankcrm.relationships.service.derive import (
    CONTROLLER,
    GUARANTOR,
    SHAREHOLDER,
    SUBSIDIARY,
    LinkArrays,
    circles_from,
    groups_from,
)


def arrays(*rows: tuple[int, int, int, int, int, int, int]) -> LinkArrays:
    return LinkArrays.from_rows(list(rows))


def test_nothing_in_nothing_out() -> None:
    assert groups_from(arrays(), 5000) == []
    assert circles_from(arrays()) == []


def test_an_individual_controlling_two_companies_makes_a_group_cored_on_the_lower_id() -> None:
    # Given person 1 controlling companies 7 and 5 (no link between them)
    links = arrays((1, 7, CONTROLLER, 0, 0, 0, 1), (1, 5, CONTROLLER, 0, 0, 0, 1))
    # Then one group of 5 and 7 with 1 as controller; both are roots controlling one member: the lower id wins
    [group] = groups_from(links, 5000)
    assert (group.core_customer_id, group.member_ids) == (5, [5, 7])
    assert [(n.customer_id, n.role, n.depth, n.parent_customer_id) for n in group.nodes] == [
        (5, "CORE", 0, None),
        (1, "CONTROLLER", 1, 5),
        (7, "MEMBER", 2, 1),
    ]


def test_of_two_roots_the_one_controlling_more_members_is_the_core() -> None:
    # Given 9 controlling 3 and 4 (subsidiaries), and 2 holding 51 % of 4
    links = arrays(
        (3, 9, SUBSIDIARY, 0, 0, 1, 1),
        (4, 9, SUBSIDIARY, 0, 0, 1, 1),
        (2, 4, SHAREHOLDER, 5100, 0, 1, 1),
    )
    # Then 9 (three members reached, itself included) beats 2 (two members)
    [group] = groups_from(links, 5000)
    assert (group.core_customer_id, group.member_ids) == (9, [2, 3, 4, 9])
    assert {n.customer_id: n.depth for n in group.nodes} == {9: 0, 3: 1, 4: 1, 2: 2}


def test_a_pure_ownership_cycle_is_one_group_and_fingerprints_ignore_order() -> None:
    # Given 8 and 6 holding 60 % of each other
    forward = groups_from(arrays((8, 6, SHAREHOLDER, 6000, 0, 1, 1), (6, 8, SHAREHOLDER, 6000, 0, 1, 1)), 5000)
    backward = groups_from(arrays((6, 8, SHAREHOLDER, 6000, 0, 1, 1), (8, 6, SHAREHOLDER, 6000, 0, 1, 1)), 5000)
    # Then one group cored on 6, the same whichever order the links come in
    assert [(g.core_customer_id, g.member_ids) for g in forward] == [(6, [6, 8])]
    assert forward[0].fingerprint == backward[0].fingerprint and forward[0].shape == backward[0].shape


def test_a_share_of_exactly_the_threshold_is_not_control_and_one_basis_point_more_is() -> None:
    at = arrays((1, 2, SHAREHOLDER, 5000, 0, 1, 1))
    above = arrays((1, 2, SHAREHOLDER, 5001, 0, 1, 1))
    assert groups_from(at, 5000) == []
    assert [g.member_ids for g in groups_from(above, 5000)] == [[1, 2]]


def test_circles_sum_only_the_guarantees_inside_them() -> None:
    links = arrays(
        (1, 2, GUARANTOR, 0, 10, 1, 1),
        (2, 1, GUARANTOR, 0, 20, 1, 1),
        (2, 3, GUARANTOR, 0, 99, 1, 1),
        (3, 4, GUARANTOR, 0, 5, 0, 0),
    )
    assert [(c.member_ids, c.total_amount) for c in circles_from(links)] == [([1, 2], 30)]
