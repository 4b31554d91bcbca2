"""core.base.memo.ByIdentity: what is made from a shared object is made once per object, never handed
out for another object (even an equal one), and at most ``size`` results are kept."""

from core.base.memo import ByIdentity


def test_made_once_per_object_and_kind() -> None:
    made: list[tuple[str, str]] = []
    memo: ByIdentity[str] = ByIdentity(8)
    text = "".join(["rows", "!"])

    def upper(obj: object) -> str:
        made.append((str(obj), "upper"))
        return str(obj).upper()

    assert memo.get(text, upper) == "ROWS!"
    assert memo.get(text, upper) == "ROWS!"
    assert memo.get(text, lambda o: f"<{o}>", "wrapped") == "<rows!>"  # another kind of result
    assert made == [("rows!", "upper")]


def test_an_equal_but_other_object_gets_its_own_result() -> None:
    memo: ByIdentity[int] = ByIdentity(8)
    first, second = [1, 2], [1, 2]
    assert memo.get(first, id) == id(first)
    assert memo.get(second, id) == id(second)


def test_at_most_size_kept_the_least_recently_used_go_first() -> None:
    memo: ByIdentity[int] = ByIdentity(2)
    a, b, c = [1], [2], [3]
    calls: list[object] = []

    def make(obj: object) -> int:
        calls.append(obj)
        return len(calls)

    memo.get(a, make)
    memo.get(b, make)
    memo.get(a, make)  # a used again: b is now the oldest
    memo.get(c, make)
    assert len(memo) == 2
    memo.get(a, make)  # still kept
    memo.get(b, make)  # made again
    assert [x for x in calls if x is b] == [b, b] and [x for x in calls if x is a] == [a]
