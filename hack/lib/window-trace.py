#!/usr/bin/env python3
"""window-trace.py HELPER_LOG [SNAPSHOT_PREFIX]: where each freeze window's time goes.

Reads the node helper's JSON log lines (QUIESCE_LOG_FORMAT=json) with the window trace on
(QUIESCE_LOG_LEVEL=info,io.quiesce.trace=debug) and prints, per QuiescedSnapshot whose name starts
with SNAPSHOT_PREFIX (default bench-q-), the milliseconds of each step of its window, then the
median, p95 and max of each step. Steps (from log timestamps, millisecond resolution):
  journal  journal-start -> journal-written   (the freeze journal's fsync, before the freeze is sent)
  freeze   journal-written -> freeze-reply    (the agent's freeze round trip)
  create   freeze-reply -> created            (POST of the VolumeSnapshots)
  cut      created -> cut-seen                (the snapshotter's cut, then the watch event's arrival)
  wake     cut-seen -> cut-awaited            (informer thread to the window's thread)
  handoff  cut-awaited -> thaw-start          (the window's thread to the thaw worker)
  thaw     thaw-start -> thaw-reply           (the agent's thaw round trip)
  status   thaw-reply -> thaw-status          (the freeze-status call that confirms the thaw)
"""
import json
import math
import sys
from datetime import datetime

STEPS = [("journal", "journal-start", "journal-written"), ("freeze", "journal-written", "freeze-reply"),
         ("create", "freeze-reply", "created"), ("cut", "created", "cut-seen"), ("wake", "cut-seen", "cut-awaited"),
         ("handoff", "cut-awaited", "thaw-start"), ("thaw", "thaw-start", "thaw-reply"),
         ("status", "thaw-reply", "thaw-status")]


def ms(ts):
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000


def pct(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def main():
    prefix = sys.argv[2] if len(sys.argv) > 2 else "bench-q-"
    windows, cut_seen = {}, []
    with open(sys.argv[1], encoding="utf-8", errors="replace") as log:
        for line in log:
            if not line.startswith("{"):
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("logger") != "io.quiesce.trace.window":
                continue
            step = event["msg"].split(" ", 1)[0]
            if step == "cut-seen":  # the informer's thread carries no snapshot: matched by time below
                cut_seen.append(ms(event["ts"]))
                continue
            name = event.get("resource.name", "")
            if name.startswith(prefix):
                windows.setdefault(name, {}).setdefault(step, ms(event["ts"]))
    rows = {}
    for name, at in windows.items():
        if "created" in at and "cut-awaited" in at:
            seen = [t for t in cut_seen if at["created"] - 1 <= t <= at["cut-awaited"] + 1]
            if seen:
                at["cut-seen"] = max(seen)
        if all(a in at and b in at for _, a, b in STEPS):
            rows[name] = [at[b] - at[a] for _, a, b in STEPS] + [at["thaw-status"] - at["journal-start"]]
    header = ["snapshot"] + [s for s, _, _ in STEPS] + ["total"]
    print("%-14s" % header[0] + "".join("%8s" % h for h in header[1:]))
    for name in sorted(rows, key=lambda n: (len(n), n)):
        print("%-14s" % name + "".join("%8.0f" % v for v in rows[name]))
    if rows:
        for label, fn in (("median", lambda v: pct(v, 50)), ("p95", lambda v: pct(v, 95)), ("max", max)):
            print("%-14s" % label + "".join("%8.0f" % fn([r[i] for r in rows.values()]) for i in range(len(header) - 1)))
    print("windows traced: %d" % len(rows))


if __name__ == "__main__":
    main()
