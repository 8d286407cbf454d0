#!/usr/bin/env python3
"""Differential vectors for CronSchedule: random cron expressions x zones x start instants,
with cronsim 2.8's next five fires (and, for some, its previous three).

Deterministic (fixed seed). Output, tab-separated, epoch seconds:
    expression  zone  start  next1,next2,...  [prev1,prev2,prev3]
Fires at or before the start are dropped (cronsim hands back the first occurrence of a repeated
fall-back hour even when the start is in the second one; Almanac keeps "strictly after").
Run: python3 scripts/gen_cron_vectors.py > Tests/CronScheduleTests/Vectors/cronsim.tsv
"""
import random
import signal
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import cronsim

assert cronsim.__name__ == "cronsim"
from cronsim import CronSim, CronSimError

SEED = 20260601
TOTAL = 52000
HEAVY = ["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe"]
OTHER = ["UTC", "Europe/Berlin", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata",
         "Asia/Tokyo", "America/Santiago", "Pacific/Chatham", "Asia/Tehran", "America/Havana",
         "Africa/Casablanca", "Pacific/Apia", "America/St_Johns", "Europe/Dublin", "Asia/Gaza"]
DAYS = "SUN MON TUE WED THU FRI SAT".split()
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()

rng = random.Random(SEED)


def transitions(zone, y0=2020, y1=2031):
    """UTC instants (epoch seconds) where the zone's offset changes, found by hourly scan + bisection."""
    tz = ZoneInfo(zone)
    out = []
    t = int(datetime(y0, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(y1, 1, 1, tzinfo=timezone.utc).timestamp())
    off = lambda s: datetime.fromtimestamp(s, tz).utcoffset()
    prev = off(t)
    while t < end:
        n = t + 3600
        o = off(n)
        if o != prev:
            lo, hi = t, n
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if off(mid) == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            prev = o
        t = n
    return out


def term(lo, hi, names=None, hot=None):
    r = rng.random()
    pick = lambda: rng.choice(hot) if hot and rng.random() < 0.6 else rng.randint(lo, hi)
    name = lambda v: names[v - (1 if names is MONTHS else 0)] if names and rng.random() < 0.3 and v - (1 if names is MONTHS else 0) < len(names) else str(v)
    if r < 0.35:
        return name(pick())
    if r < 0.55:
        a = pick()
        b = rng.randint(a, hi)
        return f"{name(a)}-{name(b)}"
    if r < 0.7:
        return f"*/{rng.choice([2, 3, 5, 7, 10, 15, 20, 30]) if hi > 12 else rng.randint(2, 4)}"
    if r < 0.8:
        a = pick()
        b = rng.randint(a, hi)
        return f"{a}-{b}/{rng.randint(1, 5)}"
    if r < 0.88:
        return f"{pick()}/{rng.randint(2, 20 if hi > 12 else 4)}"
    return ",".join(sorted({str(pick()) for _ in range(rng.randint(2, 4))}, key=int))


def field(lo, hi, star, names=None, hot=None):
    return "*" if rng.random() < star else term(lo, hi, names, hot)


def expression():
    kind = rng.random()
    minute = field(0, 59, 0.25, hot=[0, 0, 15, 30, 45, 59, 1])
    hour = field(0, 23, 0.3, hot=[0, 1, 2, 3, 2, 1])
    dom = field(1, 31, 0.6)
    r = rng.random()
    if r < 0.05:
        dom = "L"
    elif r < 0.08:
        dom = "LW"
    month = field(1, 12, 0.75, names=MONTHS)
    dow = field(0, 7, 0.65, names=DAYS)
    r = rng.random()
    if r < 0.04:
        dow = f"{rng.randint(0, 7)}L"
    elif r < 0.08:
        dow = f"{rng.choice([str(rng.randint(0, 7)), rng.choice(DAYS)])}#{rng.randint(1, 5)}"
    if kind < 0.12:
        second = field(0, 59, 0.3, hot=[0, 30])
        return f"{second} {minute} {hour} {dom} {month} {dow}"
    if kind < 0.2:
        return rng.choice(["*/5 * * * *", "0 * * * *", "30 2 * * *", "0 2 * * *", "15 1 * * *",
                           "0 0 * * *", "0 0 L * *", "0 9 * * 1-5", "*/30 * * * *", "0 */2 * * *",
                           "30 * * * *", "* 2 * * *", "0,30 1-3 * * *", "45 0-3 * * *", "59 1 * * *"])
    return f"{minute} {hour} {dom} {month} {dow}"


def start_for(zone, trans):
    if trans and rng.random() < 0.75:
        t = rng.choice(trans)
        spread = rng.choice([3600, 4 * 3600, 86400, 3 * 86400])
        return t + rng.randint(-spread, spread)
    lo = int(datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp())
    hi = int(datetime(2040, 1, 1, tzinfo=timezone.utc).timestamp())
    return rng.randint(lo, hi)


def fires(expr, tz, start, reverse=False, count=5):
    it = CronSim(expr, datetime.fromtimestamp(start, tz), reverse=reverse)
    out = []
    for _ in range(count + 4):
        try:
            ts = next(it).timestamp()
        except StopIteration:
            break
        ts = int(ts)
        if (ts <= start if not reverse else ts >= start) or (out and (ts <= out[-1] if not reverse else ts >= out[-1])):
            continue
        out.append(ts)
        if len(out) == count:
            break
    return out


def on_alarm(signum, frame):
    raise TimeoutError


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    trans = {z: transitions(z) for z in HEAVY + OTHER}
    w = sys.stdout.write
    w(f"# cronsim {getattr(cronsim, '__version__', '2.8')} vectors, seed {SEED}: expr\tzone\tstart\tnext5\tprev3\n")
    n = 0
    while n < TOTAL:
        zone = rng.choice(HEAVY) if rng.random() < 0.7 else rng.choice(OTHER)
        tz = ZoneInfo(zone)
        expr = expression()
        start = start_for(zone, trans[zone])
        if rng.random() < 0.05:
            start += 0.5
        want_previous = rng.random() < 0.25
        # cronsim can spin for a very long time on a few DST corner cases (ticking around a
        # midnight transition); those cases are skipped, and reported on stderr.
        signal.alarm(2)
        try:
            nxt = fires(expr, tz, start)
            prv = fires(expr, tz, start, reverse=True, count=3) if want_previous else None
        except CronSimError:
            continue
        except TimeoutError:
            sys.stderr.write(f"skipped (cronsim too slow): {expr}\t{zone}\t{start}\n")
            continue
        finally:
            signal.alarm(0)
        if not nxt:
            continue
        s = str(int(start)) if start == int(start) else f"{start:.1f}"
        cols = [expr, zone, s, ",".join(map(str, nxt))]
        if prv is not None:
            cols.append(",".join(map(str, prv)) or "-")
        w("\t".join(cols) + "\n")
        n += 1


if __name__ == "__main__":
    main()
