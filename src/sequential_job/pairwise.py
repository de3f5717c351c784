"""A deterministic pairwise covering-array generator (greedy, in the manner of AETG): from dimensions, each a list of
values, make cases (one value per dimension) such that every pair of values of two different dimensions appears in
at least one case, with far fewer cases than the full product.

Constraints: `excluded(choices)` says whether a partial or whole case is impossible (it must answer for the
dimensions assigned so far only). No case it excludes is generated, and a pair it excludes by itself is not asked
for: `excluded_pairs` lists those, for a caller that tests them apart (as refusals).

Deterministic: the same input gives the same cases in the same order, whatever the process (no set or dict iteration
order decides anything; ties go to the earlier dimension and value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Choices = dict[str, str]
Pair = tuple[tuple[str, str], tuple[str, str]]
Dimensions = Sequence[tuple[str, Sequence[str]]]
Excluded = Callable[[Mapping[str, str]], bool]


def _never(_: Mapping[str, str]) -> bool:
    return False


def all_pairs(dimensions: Dimensions) -> list[Pair]:
    """Every pair of values of two different dimensions, in dimension and value order."""
    pairs = []
    for i, (first, first_values) in enumerate(dimensions):
        for second, second_values in dimensions[i + 1 :]:
            pairs += [((first, a), (second, b)) for a in first_values for b in second_values]
    return pairs


def excluded_pairs(dimensions: Dimensions, excluded: Excluded = _never) -> list[Pair]:
    """The pairs that are impossible by themselves, so no generated case holds them."""
    return [p for p in all_pairs(dimensions) if excluded(dict(p))]


def pairs_of(choices: Mapping[str, str], dimensions: Dimensions) -> list[Pair]:
    """The pairs one case covers."""
    names = [name for name, _ in dimensions if name in choices]
    return [((a, choices[a]), (b, choices[b])) for i, a in enumerate(names) for b in names[i + 1 :]]


def uncovered(cases: Sequence[Mapping[str, str]], dimensions: Dimensions, excluded: Excluded = _never) -> list[Pair]:
    """The pairs (but the excluded ones) that no case holds; empty when the cases cover every pair."""
    covered = {pair for case in cases for pair in pairs_of(case, dimensions)}
    return [p for p in all_pairs(dimensions) if p not in covered and not excluded(dict(p))]


def generate(dimensions: Dimensions, excluded: Excluded = _never) -> list[Choices]:
    """Cases that together hold every pair `excluded` allows, none of them excluded.

    Each new case starts from the first pair still uncovered, then takes each other dimension in turn (in order) and
    gives it the value that covers the most uncovered pairs with the values chosen so far (the first such value on a
    tie) among those `excluded` allows. Fails, naming the dimension, when no value is allowed."""
    names = [name for name, _ in dimensions]
    if len(set(names)) != len(names):
        raise ValueError(f"dimension names repeat: {names}")
    todo = {pair: None for pair in all_pairs(dimensions) if not excluded(dict(pair))}  # ordered set
    cases: list[Choices] = []
    while todo:
        (first, a), (second, b) = next(iter(todo))
        case: Choices = {first: a, second: b}
        for name, values in dimensions:
            if name in case:
                continue
            best, best_gain = None, -1
            for value in values:
                trial = {**case, name: value}
                if excluded(trial):
                    continue
                gain = sum(1 for other in case if _ordered(dimensions, (name, value), (other, case[other])) in todo)
                if gain > best_gain:
                    best, best_gain = value, gain
            if best is None:
                raise ValueError(f"no value of {name!r} is allowed beside {case}")
            case[name] = best
        ordered = {name: case[name] for name in names}
        for pair in pairs_of(ordered, dimensions):
            todo.pop(pair, None)
        cases.append(ordered)
    return cases


def _ordered(dimensions: Dimensions, x: tuple[str, str], y: tuple[str, str]) -> Pair:
    """The pair of x and y with the earlier dimension first, as all_pairs writes it."""
    order = [name for name, _ in dimensions]
    return (x, y) if order.index(x[0]) < order.index(y[0]) else (y, x)
