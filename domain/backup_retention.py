"""Which backups to keep: the newest of each of the last `daily` days, `weekly` ISO weeks and
`monthly` months that have a backup (days, weeks and months in the company's zone), the newest
of all always. Everything else may be deleted."""

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo


def backups_to_keep(
    times: Iterable[datetime], zone: ZoneInfo, *, daily: int = 7, weekly: int = 4, monthly: int = 12
) -> set[datetime]:
    newest_first = sorted(times, reverse=True)
    keep: set[datetime] = set(newest_first[:1])

    def newest_per(bucket: Callable[[datetime], Hashable], count: int) -> None:
        seen: list[Hashable] = []
        for at in newest_first:
            key = bucket(at.astimezone(zone))
            if key in seen:
                continue
            if len(seen) == count:
                return
            seen.append(key)
            keep.add(at)

    newest_per(lambda t: t.date(), daily)
    newest_per(lambda t: t.isocalendar()[:2], weekly)
    newest_per(lambda t: (t.year, t.month), monthly)
    return keep
