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
