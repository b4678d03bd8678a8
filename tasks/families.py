"""Problem families for ``rlvr data synth``: numbers in, the same problem in English and Chinese out.

A family has a ``sample(rng, top)`` that draws its numbers and a ``build(numbers, story)`` that
solves the problem with SymPy and writes it in both languages, or returns None when the numbers
do not make a fair problem (a zero denominator, a negative count). Keeping the numbers apart from
the wording is what lets a problem be re-solved with a changed condition and split by structure.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import sympy

__all__ = ["FAMILIES", "STORIES", "T", "Built", "Family", "Numbers", "both", "family", "ints"]

Numbers = tuple[int, ...]
STORIES = (("Ann", "小红"), ("Bob", "小明"), ("Cal", "小华"), ("Dee", "小丽"), ("Eve", "小芳"), ("Gus", "小刚"))
ITEMS = (("apples", "个苹果"), ("pens", "支笔"), ("cards", "张卡片"), ("books", "本书"), ("shells", "个贝壳"))


@dataclass(frozen=True)
class Built:
    """One solved problem: the question and worked steps in each language, and the SymPy answer."""

    question: dict[str, str]
    steps: dict[str, str]
    answer: sympy.Expr


@dataclass(frozen=True)
class Family:
    name: str
    group: str  # fractions, equations, geometry, word
    sample: Callable[[random.Random, int], Numbers]
    build: Callable[[Numbers, int], Built | None]


def both(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _fraction_sum(n: Numbers, story: int) -> Built | None:
    a, b, c, d, op = n
    if sympy.igcd(a, b) != 1 or sympy.igcd(c, d) != 1:
        return None  # 2/4 is 1/2 retold
    p, q = sympy.Rational(a, b), sympy.Rational(c, d)
    sign = "+" if op == 0 else "-"
    value = p + q if op == 0 else p - q
    if value < 0:
        return None
    den = sympy.ilcm(p.q, q.q)
    step = f"{p} {sign} {q} = {p.p * den // p.q}/{den} {sign} {q.p * den // q.q}/{den} = {value}."
    return Built(both(f"What is {p} {sign} {q}?", f"计算 {p} {sign} {q}。"), both(step, step), value)


def _fraction_of(n: Numbers, story: int) -> Built | None:
    a, b, k = n
    if a >= b or sympy.igcd(a, b) != 1:
        return None
    whole = b * k
    value = sympy.Rational(a, b) * whole
    step = f"{whole} / {b} = {whole // b}. {whole // b} * {a} = {value}."
    return Built(both(f"What is {a}/{b} of {whole}?", f"{whole} 的 {a}/{b} 是多少？"), both(step, step), value)


def _linear(n: Numbers, story: int) -> Built | None:
    a, x, b = n
    c = a * x + b
    root = sympy.Rational(c - b, a)
    step = f"{a}x = {c} - {b} = {c - b}. x = {c - b} / {a} = {root}."
    return Built(both(f"Solve {a}x + {b} = {c} for x.", f"解方程 {a}x + {b} = {c}，求 x。"), both(step, step), root)


def _quadratic(n: Numbers, story: int) -> Built | None:
    r, s = n
    if r <= s:
        return None  # (s, r) is the same equation
    p, q = -(r + s), r * s  # x^2 + p x + q = (x - r)(x - s)
    disc = p * p - 4 * q
    root = (sympy.Integer(-p) + sympy.sqrt(disc)) / 2
    text = f"x^2 {'+' if p >= 0 else '-'} {abs(p)}x {'+' if q >= 0 else '-'} {abs(q)} = 0"
    step = f"The discriminant is ({p})^2 - 4*({q}) = {disc}, so x = ({-p} ± {sympy.sqrt(disc)}) / 2: {root} is larger."
    question = both(f"What is the larger solution of {text}?", f"方程 {text} 的较大的根是多少？")
    return Built(question, both(step, step), root)


def _system(n: Numbers, story: int) -> Built | None:
    a, b, c, d, x, y = n
    det = a * d - b * c
    if det == 0 or (a, b) >= (c, d):
        return None  # no single solution, or the same system with its equations swapped
    e, f = a * x + b * y, c * x + d * y
    value = sympy.Rational(e * d - b * f, det)
    eqs = f"{a}x + {b}y = {e} and {c}x + {d}y = {f}"
    step = f"By elimination, x = ({e}*{d} - {b}*{f}) / ({a}*{d} - {b}*{c}) = {value}."
    return Built(both(f"If {eqs}, what is x?", f"已知 {eqs.replace(' and ', '，')}，求 x。"), both(step, step), value)


def _rectangle(n: Numbers, story: int) -> Built | None:
    length, width, ask = n
    if width > length:
        return None  # the same rectangle turned
    if ask == 0:
        value, en, zh, step = length * width, "area in square cm", "面积是多少平方厘米", f"{length} * {width}"
    else:
        value, en, zh, step = 2 * (length + width), "perimeter in cm", "周长是多少厘米", f"2 * ({length} + {width})"
    return Built(
        both(f"A rectangle is {length} cm long and {width} cm wide. What is its {en}?",
              f"一个长方形长 {length} 厘米，宽 {width} 厘米。它的{zh}？"),
        both(f"{step} = {value}.", f"{step} = {value}。"), sympy.Integer(value),
    )


def _triangle_area(n: Numbers, story: int) -> Built | None:
    base, height = n
    value = sympy.Rational(base * height, 2)
    step = f"{base} * {height} / 2 = {value}."
    return Built(
        both(f"A triangle has base {base} cm and height {height} cm. What is its area in square cm?",
              f"一个三角形底是 {base} 厘米，高是 {height} 厘米。它的面积是多少平方厘米？"), both(step, step), value,
    )


_TRIPLES = ((3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41))


def _pythagoras(n: Numbers, story: int) -> Built | None:
    which, k = n
    a, b, _ = (k * side for side in _TRIPLES[which % len(_TRIPLES)])
    value = sympy.sqrt(a * a + b * b)
    step = f"sqrt({a}^2 + {b}^2) = sqrt({a * a + b * b}) = {value}."
    return Built(
        both(f"A right triangle has legs {a} and {b}. How long is its hypotenuse?",
              f"一个直角三角形的两条直角边分别是 {a} 和 {b}。斜边长多少？"), both(step, step), value,
    )


def _similar(n: Numbers, story: int) -> Built | None:
    ab, bc, de = n
    value = sympy.Rational(bc * de, ab)
    step = f"The ratio is {de}/{ab}, so EF = {bc} * {de} / {ab} = {value}."
    return Built(
        both(f"Triangle ABC is similar to triangle DEF. AB = {ab}, BC = {bc} and DE = {de}. What is EF?",
              f"三角形 ABC 与三角形 DEF 相似，AB = {ab}，BC = {bc}，DE = {de}。EF 是多少？"), both(step, step), value,
    )


def _packs(n: Numbers, story: int) -> Built | None:
    packs, each, given = n
    total = packs * each
    if given >= total:
        return None
    (name, zh_name), (item, zh_item) = STORIES[story % len(STORIES)], ITEMS[story // len(STORIES) % len(ITEMS)]
    left = total - given
    return Built(
        both(f"{name} buys {packs} packs of {each} {item} and gives away {given}. How many {item} are left?",
              f"{zh_name}买了 {packs} 包，每包 {each}{zh_item}，送出 {given}{zh_item[1:]}。还剩多少{zh_item[1:]}？"),
        both(f"{packs} * {each} = {total}. {total} - {given} = {left}.",
              f"{packs} * {each} = {total}。{total} - {given} = {left}。"),
        sympy.Integer(left),
    )


def _change(n: Numbers, story: int) -> Built | None:
    count, price, extra = n
    cost = count * price
    note = cost + extra
    name, zh_name = STORIES[story % len(STORIES)]
    return Built(
        both(f"{name} buys {count} tickets at ${price} each and pays with ${note}. How much change, in dollars?",
              f"{zh_name}买了 {count} 张票，每张 {price} 元，付了 {note} 元。应找回多少元？"),
        both(f"{count} * {price} = {cost}. {note} - {cost} = {note - cost}.",
              f"{count} * {price} = {cost}。{note} - {cost} = {note - cost}。"),
        sympy.Integer(note - cost),
    )


T = "top"  # a bound that stands for the difficulty knob ``top``


def ints(*ranges: tuple[int | str, int | str]) -> Callable[[random.Random, int], Numbers]:
    """A sampler of one integer per (low, high) range; ``T`` stands for ``top`` and ``-T`` for ``-top``."""

    def bound(value: int | str, top: int) -> int:
        return top if value == T else -top if value == "-" + T else int(value)

    def sample(rng: random.Random, top: int) -> Numbers:
        return tuple(rng.randint(bound(lo, top), bound(hi, top)) for lo, hi in ranges)

    return sample


def _within(value: int, low: int | str, high: int | str) -> bool:
    """``low <= value <= high`` for the fixed bounds; a bound that follows ``top`` is not checked here."""
    return (not isinstance(low, int) or value >= low) and (not isinstance(high, int) or value <= high)


def family(name: str, group: str, ranges: tuple[tuple[int | str, int | str], ...],
           build: Callable[[Numbers, int], Built | None]) -> Family:  # fmt: skip
    """A family sampled from ``ranges`` (see :func:`ints`) whose ``build`` refuses numbers outside their fixed
    bounds: a changed condition that makes a count -1, a coefficient 0 or a yes/no flag 2 makes no problem."""

    def checked(numbers: Numbers, story: int) -> Built | None:
        if len(numbers) != len(ranges) or not all(
            _within(x, low, high) for x, (low, high) in zip(numbers, ranges, strict=True)
        ):
            return None
        return build(numbers, story)

    return Family(name, group, ints(*ranges), checked)


FAMILIES: dict[str, Family] = {f.name: f for f in (
    family("fraction_sum", "fractions", ((1, 11), (2, 12), (1, 11), (2, 12), (0, 1)), _fraction_sum),
    family("fraction_of", "fractions", ((1, 11), (2, 12), (1, T)), _fraction_of),
    family("linear", "equations", ((2, 12), ("-" + T, T), (1, T)), _linear),
    family("quadratic", "equations", (("-" + T, T), ("-" + T, T)), _quadratic),
    family("system", "equations", ((1, 9), (1, 9), (1, 9), (1, 9), ("-" + T, T), ("-" + T, T)), _system),
    family("rectangle", "geometry", ((1, T), (1, T), (0, 1)), _rectangle),
    family("triangle_area", "geometry", ((1, T), (1, T)), _triangle_area),
    family("pythagoras", "geometry", ((0, 5), (1, T)), _pythagoras),
    family("similar", "geometry", ((1, T), (1, T), (1, T)), _similar),
    family("packs", "word", ((2, 12), (2, T), (1, T)), _packs),
    family("change", "word", ((1, 12), (1, T), (0, T)), _change),
)}
