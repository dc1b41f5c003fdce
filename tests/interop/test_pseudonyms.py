"""Pseudonymous ids: the same secret gives the same pseudonyms, another secret
others, and none shows the id it stands for."""

import pytest

from tether.interop.pseudonyms import Pseudonyms

SECRET = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_the_same_secret_gives_the_same_pseudonym_every_time():
    assert Pseudonyms(SECRET)("case", 17) == Pseudonyms(bytes(SECRET))("case", 17)


def test_another_secret_gives_other_pseudonyms():
    first, second = Pseudonyms(SECRET), Pseudonyms(OTHER)
    assert all(first("member", n) != second("member", n) for n in range(1, 200))
    assert first.key_id != second.key_id


def test_each_kind_has_its_own_pseudonyms_with_its_letter():
    names = Pseudonyms(SECRET)
    ids = {
        kind: names(kind, 5) for kind in ("organization", "case", "member", "session")
    }
    assert [p[:2] for p in ids.values()] == ["o-", "c-", "m-", "s-"]
    assert len({p[2:] for p in ids.values()}) == 4
    assert all(len(p) == 2 + 32 for p in ids.values())


def test_different_records_never_share_a_pseudonym():
    names = Pseudonyms(SECRET)
    assert len({names("member", n) for n in range(20000)}) == 20000


def test_a_short_secret_is_refused():
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Pseudonyms(b"short")


def test_the_secret_is_not_shown_in_the_objects_repr():
    assert SECRET.hex() not in repr(Pseudonyms(SECRET))
    assert repr(SECRET) not in repr(Pseudonyms(SECRET))
