"""One table per kind of answer that real models write (issue 13's failure kinds), right and wrong."""

from __future__ import annotations

import pytest

from verifiers.math.verifier import MathVerifier

IDENTITY = "\\begin{pmatrix}1 & 0 \\\\ 0 & 1\\end{pmatrix}"
MATRIX = "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}"
CASES = {
    "sentence": [
        ("Final Answer: The final answer is $5$. I hope it is correct.", "5", True),
        ("Final Answer: The largest $n$ is 34.", "34", True),  # the value after the last "is"
        ("The volume of $ABCDEFGH$ is 120. I hope it is correct.", "120", True),
        ("Final Answer: Jane started growing it 3 hours ago.", "3", True),  # the sentence's last number
        ("Final Answer: The final answer is 12,000,023. I hope it is correct.", "12000023", True),
        ("Final Answer: The largest $n$ is 35.", "34", False),
        ("So \\boxed{200} and then \\boxed{255}. Final Answer: The final answer is $10,455$.", "10455", True),
    ],
    "multiple boxes": [
        ("\\boxed{1} and \\boxed{2} and \\boxed{3}", "\\{1,2,3\\}", True),  # a run of boxes is one answer
        ("\\[ \\boxed{-2} \\quad \\text{and} \\quad \\boxed{1}. \\]", "1, -2", True),
        ("\\boxed{(2, 2)} \\quad \\text{and} \\quad \\boxed{(6, 2)}", "(2, 2), (6, 2)", True),
        ("\\boxed{k = 45} \\quad \\text{and} \\quad \\boxed{n = 2}", "k = 45, n = 2", True),
        ("\\boxed{28} is wrong, so \\boxed{30}", "28", False),  # prose between boxes: only the last counts
        ("\\boxed{1} or \\boxed{2}", "1", False),  # hedging over two answers is not the answer
        ("\\boxed{15\\frac{39}{40}}, or \\boxed{\\frac{639}{40}}", "\\frac{639}{40}", True),  # one value twice
    ],
    "labels": [
        ("\\boxed{(3,2)}", "(p,q)=(3,2)", True),  # a labelled tuple equals its value
        ("\\boxed{4, 5}", "AB=4,CD=5", True),
        ("\\boxed{7:32}", "S_{MBCN}:S=7:32", True),
        ("$$1$$", "|AB|=1", True),
        ("\\boxed{(2,3)}", "(p,q)=(3,2)", False),  # order matters in a tuple
        ("$(5,2),(7,2)$", "p=5,q=2;p=7,q=2", True),  # semicolons separate solutions, commas their parts
        ("$(5,2),(2,7)$", "p=5,q=2;p=7,q=2", False),
        ("\\boxed{11a+c}", "7 = 11a+c", False),  # an equation with letters is not a label
    ],
    "commas": [
        ("\\boxed{(12,102)}", "12102", False),  # a pair, not a thousands separator
        ("\\boxed{12,102}", "12102", True),
        ("\\boxed{11,\\! 111,\\! 111,\\! 100}", "11111111100", True),  # ,\! separators
        ("\\boxed{14 {, }916}", "14916", True),
        ("\\boxed{1,22}", "1.22", True),  # a decimal comma, read by the gold's form
        ("\\boxed{1,2}", "\\boxed{1}\\boxed{2}", True),  # but a list where the gold is a list
        ("\\boxed{(2,12) \\cup (12,102)}", "(2, 12) \\cup (12, 102)", True),
        ("\\boxed{(0;0;6),(4;-2;0)}", "(4,-2,0),(0,0,6)", True),  # semicolons inside tuples
    ],
    "relations": [
        ("$x \\neq 3$", "x != 3", True),
        ("$x \\ne 5$", "x \\neq 5", True),
        ("$x != 4$", "x \\neq 5", False),
        ("$-x > -1$", "x < 1", True),  # a negated variable flips the inequality
        ("$-x >= -1$", "x <= 1", True),
        ("$-x > -1$", "x > 1", False),
        ("$(0,1)$", "0<f(x)<1", True),
        ("$x = 5+5+1 = 1/3 \\approx 11$", "x = 1/3", True),  # the exact value before \approx
    ],
    "percent": [
        ("\\boxed{28\\%}", "28", True),  # the dev convention: a percentage equals its stated number
        ("\\boxed{28\\%}", "7/25", True),  # and its value
        ("$28$ percent", "0.28", True),
        ("28 pct", "28\\%", True),
        ("\\boxed{28}", "0.28", False),  # no percent sign: no scaling
        ("4 4/9%", "40/9", False),  # a fraction is not a stated percentage count
        ("4 4/9%", "40/900", True),
    ],
    "mixed numbers": [
        ("\\boxed{11 5/6}", "71/6", True),
        ("\\boxed{2\\frac{1}{4}\\pi}", "\\frac94\\pi", True),
        ("\\boxed{11 6/6}", "11", False),  # not a mixed number, and not 11 times 6/6
        ("\\boxed{11 7/6}", "73/6", False),
    ],
    "tex primitives": [
        ("\\boxed{\\log_2 8}", "3", True),
        ("\\boxed{\\gcd(12, 18)}", "6", True),
        ("\\boxed{\\operatorname{lcm}(4, 6)}", "12", True),
        ("\\boxed{\\sin 30^\\circ}", "\\frac{1}{2}", True),  # degrees inside trig
        ("\\boxed{30^\\circ}", "30", True),  # a bare angle keeps its number
        ("\\boxed{\\varnothing}", "\\emptyset", True),
        ("\\boxed{\\mathbb{R}}", "(-\\infty, \\infty)", True),
        ("\\boxed{1011_2}", "11", True),  # a base subscript: its value
        ("\\boxed{1011_2}", "1011_2", True),
        ("\\boxed{1011_2}", "12", False),
        ("\\boxed{125\\textnormal{ miles}}", "125", True),
        ("$\\frac{1}{3} \\textbf{meters}$", "1/3", True),
        ("\\boxed{45\\,\\mathrm{m}}", "45", True),  # a unit after a thin space
        ("\\boxed{45\\ \\text{m}}", "45", True),
        ("\\boxed{5\\,\\mathrm{m/s^{2}}}", "5", True),  # an exponent inside the unit
        ("\\boxed{40\\,\\mathrm{m}}", "45", False),
        ("\\left[\\begin{array}{cc}1 & 2 \\\\3 & 4\\end{array}\\right]", MATRIX, True),
        (f"${IDENTITY} + \\begin{{pmatrix}}0 & 2 \\\\ 3 & 3\\end{{pmatrix}}$", MATRIX, True),  # a sum, evaluated
        (f"${IDENTITY} + \\begin{{pmatrix}}0 & 2 \\\\ 3 & 4\\end{{pmatrix}}$", MATRIX, False),
        ("\\boxed{\\lceil\\log_2(\\log_2(2015))\\rceil-1}", "3", True),
        # our parser gives up on \\sum: latex2sympy2_extended reads it inside the worker
        ("$F_n = \\sum_{k=0}^{n-1} F_{n-k-1} F_k$", "F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}", True),
    ],
    "decimals": [
        ("\\boxed{12.0001}", "12", False),  # a decimal matches only what it rounds to
        ("\\boxed{0.5000001}", "\\frac{1}{2}", False),
        ("\\boxed{1.414214}", "\\sqrt{2}", True),
        ("\\boxed{1.414213}", "\\sqrt{2}", False),  # truncated: \sqrt{2} rounds to 1.414214
    ],
    "short answers": [
        ("even", "\\text{even}", True),  # a bare word is the answer
        ("LQSX", "LQSX", True),
        ("\\text{(D) a non-horizontal line}", "\\text{(D)}", True),  # an option letter with its text
        ("A,B,E", "\\text{A,B,E}", True),
        ("AZYUK2A", "2", False),  # a digit glued to letters is not a number
    ],
}
ROWS = [(kind, *case) for kind, cases in CASES.items() for case in cases]


@pytest.fixture(scope="module")
def verifier():
    with MathVerifier(timeout=10.0) as math:
        yield math


@pytest.fixture(scope="module")
def verdicts(verifier):
    return verifier.verify_batch([row[1] for row in ROWS], [row[2] for row in ROWS])


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[f"{row[0]}:{row[1][:30]}" for row in ROWS])
def test_kind(verdicts, index: int) -> None:
    kind, completion, reference, equal = ROWS[index]
    verdict = verdicts[index]
    assert verdict.passed is equal, (kind, completion, reference, verdict)


@pytest.mark.parametrize(
    "completion, passed, reason",
    [
        ("<think>so it is 42</think> I am not sure.", False, "no answer found"),  # the guess inside does not count
        ("<think>so it is 42</think>", False, "no final answer"),
        ("<think>so it is 42", False, "no final answer"),  # never closed: still reasoning
        ("<think>maybe 41</think> The answer is \\boxed{42}.", True, "match"),
        ("prompted reasoning</think> \\boxed{42}", True, "match"),  # the opening tag was in the prompt
    ],
)
def test_final_answer_discipline(verifier, completion: str, passed: bool, reason: str) -> None:
    verdict = verifier.verify(completion, "42")
    assert (verdict.passed, verdict.reason) == (passed, reason)


def test_final_answer_discipline_is_configurable() -> None:
    with MathVerifier(reasoning_tags=[["<reason>", "</reason>"]]) as tagged:
        assert tagged.verify("<reason>42</reason>", "42").reason == "no final answer"
    with MathVerifier(final_answer_only=False) as relaxed:
        assert relaxed.verify("<think>so it is 42</think> I am not sure.", "42").passed is True
