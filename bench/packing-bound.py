#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The best fragmentation any placement rule can reach in bench/packing's churn
on skl-gt2/kbl-gt2: an offline check of the figure the allocator is measured
against (not run by `make bench`; plain python3, a few seconds).

On those profiles only low GM fragments (bench/packing's short-run split): 384 MB
for guests, requests of 64 (V5_8), 128 (V5_4, the guide's) and 256 MB (V5_2), so
the region is 6 slots of 64 MB and guests take 1, 2 or 4 slots.  High GM (50
granules) and fences (7 guests of 4) never run short first.  The churn is a
Markov decision process over the slot occupancy: each step destroys a random
live guest with probability 0.4 (if any), else asks for a random type; the
placement rule picks the start.  Relative value iteration gives the rule with
the lowest long-run rate of requests refused although enough slots were free.

  packing-bound.py [--all-types]   (--all-types: V5_1, which never fits, in the mix)
"""
import sys

SLOTS = 6
KINDS = [(1, 1), (2, 2), (4, 1)]          # (slots, weight): V5_8; V5_4 + guide; V5_2
if "--all-types" in sys.argv[1:]:
    KINDS = [(1, 1), (2, 2), (4, 1), (None, 1)]   # None: V5_1, refused on any state
TOTAL = sum(w for _, w in KINDS)
P_DESTROY = 0.4


def occupied(state):
    cells = [False] * SLOTS
    for start, size in state:
        for i in range(start, start + size):
            cells[i] = True
    return cells


def starts(state, size):
    cells = occupied(state)
    return [s for s in range(SLOTS - size + 1) if not any(cells[s:s + size])]


def reachable():
    seen, todo = {frozenset()}, [frozenset()]
    while todo:
        st = todo.pop()
        nxt = [st - {g} for g in st]
        for size, _ in KINDS:
            if size:
                nxt += [st | {(s, size)} for s in starts(st, size)]
        for x in nxt:
            if x not in seen:
                seen.add(x)
                todo.append(x)
    return list(seen)


STATES = reachable()
INDEX = {s: i for i, s in enumerate(STATES)}


def transitions(st, choose):
    """(probability, next state, is a create, refused for fragmentation)"""
    n = len(st)
    p_destroy = P_DESTROY if n else 0.0
    out = [(p_destroy / n, st - {g}, False, False) for g in st]
    free = SLOTS - sum(occupied(st))
    for size, w in KINDS:
        p = (1 - p_destroy) * w / TOTAL
        options = starts(st, size) if size else []
        if options:
            out.append((p, st | {(choose(st, size, options), size)}, True, False))
        else:
            out.append((p, st, True, size is not None and free >= size))
    return out


def optimal_rule(lam):
    """Relative value iteration for the cost: refused-fragmented - lam * creates."""
    h = {s: 0.0 for s in STATES}
    rule = {}

    def choose(st, size, options):
        return min(options, key=lambda s: h[st | {(s, size)}])

    for _ in range(5000):
        new = {}
        for st in STATES:
            new[st] = sum(p * ((frag - lam * create) + h[nx])
                          for p, nx, create, frag in transitions(st, choose))
        base = new[frozenset()]
        delta = max(abs(new[s] - base - h[s]) for s in STATES)
        h = {s: new[s] - base for s in STATES}
        if delta < 1e-12:
            break
    for st in STATES:
        for size, _ in KINDS:
            if size and starts(st, size):
                rule[(st, size)] = choose(st, size, starts(st, size))
    return rule


def rate(rule):
    """Long-run refused-for-fragmentation per create under a fixed rule."""
    pi = {s: 0.0 for s in STATES}
    pi[frozenset()] = 1.0
    choose = lambda st, size, options: rule[(st, size)]
    for _ in range(3000):
        new = {s: 0.0 for s in STATES}
        creates = frag = 0.0
        for st, w in pi.items():
            if w == 0.0:
                continue
            for p, nx, create, fr in transitions(st, choose):
                new[nx] += w * p
                creates += w * p * create
                frag += w * p * fr
        pi = new
    return frag / creates


lam = 0.0
for _ in range(3):   # Dinkelbach: the rule minimising the ratio
    lam = rate(optimal_rule(lam))
print("best placement rule: %.3f%% of requests refused for fragmentation (%d states)"
      % (100 * lam, len(STATES)))
