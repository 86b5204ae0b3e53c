"""The broad look-up of candidates by name: the same full pinyin, found through the search keys' index."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.kit.pinyin import pinyin_full
from bankcrm.matching import repository
from tests.matching.cif import person


def test_same_pinyin_is_a_candidate_a_longer_name_ending_in_it_is_not(db: Session, settings: Settings) -> None:
    # given 张三, 王张三 (whose pinyin ends in "zhangsan") and a customer whose pinyin is longer than a search key
    cipher = settings.field_cipher()
    zhang = person(db, cipher, "94000000101", "张三", date(1980, 1, 2))
    person(db, cipher, "94000000102", "王张三", date(1970, 5, 6))
    long_name = "欧阳诸葛司马上官皇甫长孙慕容"
    assert len(pinyin_full(long_name)) > 40
    long_one = person(db, cipher, "94000000103", long_name, date(1960, 7, 8))

    # when candidates are looked up by the pinyin of 張三 (traditional) and of the long name, no birth date
    def by_pinyin(up_to: int | None = None) -> list[int]:
        pinyins = {pinyin_full("張三"), pinyin_full(long_name)}
        none: set[str] = set()
        found = repository.found_candidates(
            db, "individual", pinyins=pinyins, birth_dates=set(), id_indexes=none, phone_indexes=none, up_to=up_to
        )
        return sorted(found.exact | found.broad)

    # then exactly 张三 and the long name's customer are found
    assert by_pinyin() == sorted([zhang.id, long_one.id])
    # and a look-up limited to older customers leaves out those after the limit
    assert by_pinyin(up_to=zhang.id) == [zhang.id]


def test_customers_read_as_an_id_range_are_those_read_by_their_ids(db: Session, settings: Settings) -> None:
    # given four people with IDs, mobiles, addresses and employers (a load's new customers are read as a range)
    cipher = settings.field_cipher()
    first = person(db, cipher, "94000000201", "李四", date(1981, 2, 3), id_no="11010519491231002X")
    second = person(
        db, cipher, "94000000202", "王五", date(1982, 3, 4), "F", mobile="13800138000", address="北京市朝阳区建国路1号"
    )
    third = person(db, cipher, "94000000203", "赵六", date(1983, 4, 5), employer="星河科技", mobile="13900139000")
    fourth = person(db, cipher, "94000000204", "钱七", date(1984, 5, 6), address="上海市浦东新区世纪大道2号")

    # when the customers above the first, plus the first by id, are read as a range
    ranged = repository.customer_frame(db, cipher, [first.id], above=first.id)

    # then the frame is exactly the one read by the four ids, decrypted (ID and mobiles in clear), in id order
    by_ids = repository.customer_frame(db, cipher, [first.id, second.id, third.id, fourth.id])
    assert ranged.to_dicts() == by_ids.to_dicts()
    assert ranged["unique_id"].to_list() == [first.id, second.id, third.id, fourth.id]
    assert ranged["mobile"].to_list() == [None, "13800138000", "13900139000", None]
    assert ranged["address"].to_list() == [None, "北京市朝阳区建国路1号", None, "上海市浦东新区世纪大道2号"]
    assert ranged["id_no"].to_list()[0] == "11010519491231002X"
    # and a clear-only range read leaves the ID and mobiles out, telling which documents may have neighbours
    light = repository.customer_frame(db, cipher, [], above=first.id, clear_only=True)
    assert light["unique_id"].to_list() == [second.id, third.id, fourth.id]
    assert light["mobile"].to_list() == [None, None, None]
    assert light["unchecked_id"].to_list() == [False, False, False]
