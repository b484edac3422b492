#!/usr/bin/env python3
"""Independent oracle for Quiesce's schedule arithmetic (used to derive the expected values of
operator/src/test/resources/schedule/cron-cases.tsv; it shares no code with the Java implementation).

It scans real time minute by minute in UTC and, for each minute, asks the zone (Python's zoneinfo,
the system tz database) what the wall clock shows. A minute fires when the wall clock matches the
expression (classic cron day rule: both day fields restricted -> either matches), except the second
pass of a repeated hour (first occurrence only); when the clocks jump forward, the instant of the jump
fires if any skipped wall-clock minute matches.

usage: cron-oracle.py < cases.tsv   (columns: expression, zone, from (ISO-8601 instant), count)
prints the input columns plus the expected fires (ISO-8601 with offset, space-separated)."""
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
DAYS = "SUN MON TUE WED THU FRI SAT".split()
MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}


def field(text, lo, hi, names=()):
    def val(t):
        return names.index(t.upper()) + (1 if names is MONTHS else 0) if t.upper() in names else int(t)
    values, star = set(), False
    for item in text.split(","):
        rng, _, step = item.partition("/")
        step = int(step) if step else 1
        if rng in ("*", "?"):
            a, b = lo, (6 if names is DAYS else hi)
            star |= step == 1
        elif "-" in rng:
            a, b = map(val, rng.split("-"))
        else:
            a = val(rng)
            b = (6 if names is DAYS else hi) if step != 1 or "/" in item else a
        values.update(range(a, b + 1, step))
    if names is DAYS and 7 in values:
        values.discard(7); values.add(0)
    return values, star


def matcher(expr):
    expr = MACROS.get(expr, expr)
    f = expr.split()
    mi, _ = field(f[0], 0, 59); ho, _ = field(f[1], 0, 23)
    dom, dom_star = field(f[2], 1, 31); mon, _ = field(f[3], 1, 12, MONTHS)
    dow, dow_star = field(f[4], 0, 7, DAYS)

    def matches(t):  # t: naive wall-clock datetime
        d1, d2 = t.day in dom, (t.isoweekday() % 7) in dow
        day = (d1 and d2) if (dom_star or dow_star) else (d1 or d2)
        return t.minute in mi and t.hour in ho and t.month in mon and day
    return matches


def fires(expr, zone, start, count):
    tz, m, out = ZoneInfo(zone), matcher(expr), []
    t = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    prev = (t - timedelta(minutes=1)).astimezone(tz)
    for _ in range(60 * 24 * 366 * 9):
        local = t.astimezone(tz)
        wall = local.replace(tzinfo=None)
        jump = local.utcoffset() - prev.utcoffset()
        fire = m(wall) and local.fold == 0
        if jump > timedelta(0):  # clocks went forward: the skipped wall-clock minutes fire now
            skipped = prev.replace(tzinfo=None) + timedelta(minutes=1)
            while skipped < wall:
                fire |= m(skipped); skipped += timedelta(minutes=1)
        if fire and t > start:
            out.append(local.isoformat())
            if len(out) == count:
                break
        prev, t = local, t + timedelta(minutes=1)
    return out


for line in sys.stdin:
    if not line.strip() or line.startswith("#"):
        print(line, end=""); continue
    expr, zone, start, count = line.rstrip("\n").split("\t")[:4]
    s = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(timezone.utc)
    print("\t".join([expr, zone, start, count, " ".join(fires(expr, zone, s, int(count)))]))
