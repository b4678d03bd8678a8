"""Physics-style problem families: math methods on units and kinematics, in English and Chinese.

The same contract as :mod:`tasks.families` (numbers in, a SymPy-solved problem out, None when the
numbers do not make a fair problem), so generation, the structure split and the changed-condition
augmentation work on them unchanged. Answers are numbers in the unit the question names; free fall
states ``g = 10 m/s^2`` so that every answer is exact. The numbers keep to physical ranges of their
own: the ``top`` difficulty knob of :class:`tasks.synth.SynthConfig` does not scale them.

Example:
    >>> built = PHYSICS_FAMILIES["free_fall"].build((3, 0), 0)
    >>> built.question["en"], built.answer
    ('A stone is dropped from rest. Taking g = 10 m/s^2 and ignoring air, how far does it fall in 3 s, in metres?', 45)
"""

from __future__ import annotations

import sympy

from tasks.families import STORIES, Built, Family, Numbers, both, family

__all__ = ["PHYSICS_FAMILIES"]

G = 10  # m/s^2, stated in every question that uses it


def _solved(question: dict[str, str], step: str, value: sympy.Expr) -> Built:
    """A problem whose worked step reads the same in both languages (it is formulas and numbers)."""
    return Built(question, both(step, step), value)


def _speed_units(n: Numbers, story: int) -> Built | None:
    k, ask = n
    if ask == 0:  # km/h -> m/s: 18 km/h = 5 m/s
        kmh, value = 18 * k, sympy.Integer(5 * k)
        step = f"1 km/h = 1000 m / 3600 s = 5/18 m/s, so {kmh} km/h = {kmh} * 5/18 = {value} m/s."
        question = both(f"A car travels at {kmh} km/h. What is its speed in m/s?",
                         f"一辆汽车以 {kmh} km/h 的速度行驶。它的速度是多少 m/s？")
    else:  # m/s -> km/h
        ms, value = 5 * k, sympy.Integer(18 * k)
        step = f"1 m/s = 3600 m / 1000 per hour = 3.6 km/h, so {ms} m/s = {ms} * 3.6 = {value} km/h."
        question = both(f"A cyclist rides at {ms} m/s. What is this speed in km/h?",
                         f"一名骑车人的速度是 {ms} m/s。这个速度是多少 km/h？")
    return _solved(question, step, value)


def _time_units(n: Numbers, story: int) -> Built | None:
    hours, minutes, seconds = n
    value = sympy.Integer(3600 * hours + 60 * minutes + seconds)
    step = f"{hours} * 3600 + {minutes} * 60 + {seconds} = {3600 * hours} + {60 * minutes} + {seconds} = {value}."
    question = both(f"A race lasts {hours} h {minutes} min {seconds} s. How many seconds is that?",
                    f"一场比赛用时 {hours} 小时 {minutes} 分 {seconds} 秒。一共是多少秒？")
    return _solved(question, step, value)


def _uniform_motion(n: Numbers, story: int) -> Built | None:
    speed, minutes, ask = n
    name, zh_name = STORIES[story % len(STORIES)]
    distance = sympy.Rational(speed * minutes, 60)
    if ask == 0:
        step = f"{minutes} min = {minutes}/60 h = {sympy.Rational(minutes, 60)} h. {speed} * {minutes}/60 = {distance}."
        question = both(f"{name} drives at a steady {speed} km/h for {minutes} minutes. How far, in km, does "
                        f"{name} go?", f"{zh_name}以 {speed} km/h 的速度匀速行驶了 {minutes} 分钟。行驶了多少千米？")
        return _solved(question, step, distance)
    if distance != int(distance):
        return None  # the distance in the question must be a whole number of km
    step = f"t = d / v = {distance} / {speed} h = {distance} * 60 / {speed} min = {minutes}."
    question = both(f"{name} drives {distance} km at a steady {speed} km/h. How many minutes does it take?",
                     f"{zh_name}以 {speed} km/h 的速度匀速行驶 {distance} 千米。需要多少分钟？")
    return _solved(question, step, sympy.Integer(minutes))


def _acceleration(n: Numbers, story: int) -> Built | None:
    u, a, t, ask = n
    start = f"A cart moving at {u} m/s speeds up at a constant {a} m/s^2"
    zh_start = f"一辆小车以 {u} m/s 运动，以 {a} m/s^2 的恒定加速度加速"
    if ask == 0:
        value = sympy.Integer(u + a * t)
        step = f"v = u + a t = {u} + {a} * {t} = {value}."
        question = both(f"{start} for {t} s. What is its final speed in m/s?", f"{zh_start} {t} 秒。末速度是多少 m/s？")
    else:
        half = sympy.Rational(a * t * t, 2)
        value = u * t + half
        step = f"s = u t + a t^2 / 2 = {u} * {t} + {a} * {t}^2 / 2 = {u * t} + {half} = {value}."
        question = both(f"{start}. How far, in metres, does it go in {t} s?", f"{zh_start}。{t} 秒内行驶了多少米？")
    return _solved(question, step, value)


def _free_fall(n: Numbers, story: int) -> Built | None:
    t, ask = n
    if ask == 0:
        value = sympy.Integer(G * t * t // 2)
        step = f"h = g t^2 / 2 = {G} * {t}^2 / 2 = {value}."
        question = both(f"A stone is dropped from rest. Taking g = {G} m/s^2 and ignoring air, how far does it fall in "
                         f"{t} s, in metres?",
                         f"一块石头从静止开始自由下落。取 g = {G} m/s^2，不计空气阻力，{t} 秒内下落多少米？")
    else:
        height, value = G * t * t // 2, sympy.Integer(t)
        step = f"h = g t^2 / 2, so t = sqrt(2 h / g) = sqrt(2 * {height} / {G}) = sqrt({t * t}) = {t}."
        question = both(f"A stone is dropped from rest from a height of {height} m. Taking g = {G} m/s^2 and ignoring "
                         "air, how many seconds does it take to reach the ground?",
                         f"一块石头从 {height} 米高处由静止落下。取 g = {G} m/s^2，不计空气阻力，需要多少秒落地？")
    return _solved(question, step, value)


def _braking(n: Numbers, story: int) -> Built | None:
    v, a = n
    value = sympy.Rational(v * v, 2 * a)
    step = f"0 = v^2 - 2 a s, so s = v^2 / (2 a) = {v}^2 / (2 * {a}) = {v * v} / {2 * a} = {value}."
    question = both(f"A car moving at {v} m/s brakes with a constant deceleration of {a} m/s^2 until it stops. "
                    "How far, in metres, does it travel while braking?",
                    f"一辆汽车以 {v} m/s 的速度行驶，以 {a} m/s^2 的恒定减速度刹车直到停下。刹车距离是多少米？")
    return _solved(question, step, value)


def _average_speed(n: Numbers, story: int) -> Built | None:
    v1, t1, v2, t2 = n
    total, hours = v1 * t1 + v2 * t2, t1 + t2
    if v1 == v2 or total % hours:
        return None  # one speed throughout, or an average that is not a whole km/h
    value = sympy.Integer(total // hours)
    step = f"distance = {v1} * {t1} + {v2} * {t2} = {total} km in {t1} + {t2} = {hours} h; {total} / {hours} = {value}."
    question = both(f"A bus drives for {t1} h at {v1} km/h, then for {t2} h at {v2} km/h. What is its average speed "
                    "for the whole trip, in km/h?",
                    f"一辆公交车以 {v1} km/h 行驶 {t1} 小时，再以 {v2} km/h 行驶 {t2} 小时。"
                    "全程的平均速度是多少 km/h？")
    return _solved(question, step, value)


PHYSICS_FAMILIES: dict[str, Family] = {f.name: f for f in (
    family("speed_units", "units", ((1, 20), (0, 1)), _speed_units),
    family("time_units", "units", ((1, 9), (0, 59), (0, 59)), _time_units),
    family("uniform_motion", "kinematics", ((10, 120), (5, 180), (0, 1)), _uniform_motion),
    family("acceleration", "kinematics", ((0, 30), (1, 10), (1, 20), (0, 1)), _acceleration),
    family("free_fall", "kinematics", ((1, 12), (0, 1)), _free_fall),
    family("braking", "kinematics", ((2, 40), (1, 10)), _braking),
    family("average_speed", "kinematics", ((20, 120), (1, 6), (20, 120), (1, 6)), _average_speed),
)}
