"""Satisfaction index (IKM) of the library's service survey (SKM), as pure functions.

Two standards are described as data: PermenPANRB 14/2017 (9 elements, the current rule) and
Kepmenpan 25/2004 (14 elements, used by the library's 2013-2016 reports). Every result records
which standard produced it.

Arithmetic is exact (``Fraction``): NRR of an element = mean of the answers *to that element*,
IKM = mean of the element NRRs x 25. No rounded weights (1/9 ~ 0.11 turns a perfect score into
99 and moves values across category boundaries). Floats appear only in ``to_json``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from random import Random
from typing import Any

ANSWERS: tuple[int, ...] = (1, 2, 3, 4)
SCALE = 25  # IKM = NRR x 25 maps the 1..4 scale onto 25..100


@dataclass(frozen=True)
class Element:
    """One survey element (unsur) with a short kiosk question in both languages."""

    code: str
    name: str  # official Indonesian name
    name_en: str
    question: str  # Bahasa Indonesia
    question_en: str


@dataclass(frozen=True)
class AnswerLabel:
    value: int
    label: str
    label_en: str


@dataclass(frozen=True)
class Category:
    """A row of the conversion table.

    ``letter`` is the *mutu pelayanan* (service quality); ``label`` the *kinerja unit
    pelayanan* (performance) words. ``lower`` is the inclusive lower bound used to classify;
    ``upper`` is only the published upper end, for display.
    """

    letter: str
    lower: Fraction
    upper: Fraction
    label: str
    label_en: str


@dataclass(frozen=True)
class Standard:
    code: str
    title: str
    elements: tuple[Element, ...]
    answers: tuple[AnswerLabel, ...]
    categories: tuple[Category, ...]  # best first, lower bounds strictly decreasing

    def element(self, code: str) -> Element:
        for element in self.elements:
            if element.code == code:
                return element
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.elements)


def _answers() -> tuple[AnswerLabel, ...]:
    # The common SKM scale words; 4 is best.
    return (
        AnswerLabel(1, "Tidak baik", "Poor"),
        AnswerLabel(2, "Kurang baik", "Fair"),
        AnswerLabel(3, "Baik", "Good"),
        AnswerLabel(4, "Sangat baik", "Very good"),
    )


def _categories(a: str, b: str, c: str) -> tuple[Category, ...]:
    # Lower bounds of A, B and C; D starts at 25.00, the lowest possible IKM.
    fa, fb, fc = Fraction(a), Fraction(b), Fraction(c)
    step = Fraction(1, 100)  # published intervals are given to two decimals
    return (
        Category("A", fa, Fraction(100), "Sangat Baik", "Very good"),
        Category("B", fb, fa - step, "Baik", "Good"),
        Category("C", fc, fb - step, "Kurang Baik", "Fair"),
        Category("D", Fraction(25), fc - step, "Tidak Baik", "Poor"),
    )


PERMENPANRB_14_2017 = Standard(
    code="permenpanrb-14-2017",
    title="Peraturan Menteri PANRB Nomor 14 Tahun 2017",
    elements=(
        Element(
            "U1",
            "Persyaratan",
            "Requirements",
            "Bagaimana kesesuaian persyaratan layanan perpustakaan?",
            "How appropriate are the library's service requirements?",
        ),
        Element(
            "U2",
            "Sistem, mekanisme, dan prosedur",
            "Systems, mechanisms and procedures",
            "Seberapa mudah prosedur layanan perpustakaan?",
            "How easy are the library's service procedures?",
        ),
        Element(
            "U3",
            "Waktu penyelesaian",
            "Completion time",
            "Bagaimana kecepatan waktu layanan?",
            "How quick was the service?",
        ),
        Element(
            "U4",
            "Biaya/tarif",
            "Cost/fees",
            "Bagaimana kewajaran biaya layanan?",
            "How fair is the cost of the service?",
        ),
        Element(
            "U5",
            "Produk spesifikasi jenis pelayanan",
            "Service products and specifications",
            "Bagaimana kesesuaian layanan yang diterima dengan yang ditawarkan?",
            "How well did the service match what is offered?",
        ),
        Element(
            "U6",
            "Kompetensi pelaksana",
            "Staff competence",
            "Bagaimana kemampuan petugas dalam melayani?",
            "How competent were the staff?",
        ),
        Element(
            "U7",
            "Perilaku pelaksana",
            "Staff conduct",
            "Bagaimana kesopanan dan keramahan petugas?",
            "How polite and friendly were the staff?",
        ),
        Element(
            "U8",
            "Penanganan pengaduan, saran dan masukan",
            "Handling of complaints, suggestions and feedback",
            "Bagaimana penanganan pengaduan, saran, dan masukan?",
            "How well are complaints and suggestions handled?",
        ),
        Element(
            "U9",
            "Sarana dan prasarana",
            "Facilities and infrastructure",
            "Bagaimana kualitas sarana dan prasarana perpustakaan?",
            "How good are the library's facilities?",
        ),
    ),
    answers=_answers(),
    categories=_categories("88.31", "76.61", "65.00"),
)

KEPMENPAN_25_2004 = Standard(
    code="kepmenpan-25-2004",
    title="Keputusan Menteri PAN Nomor KEP/25/M.PAN/2/2004",
    elements=(
        Element(
            "U1",
            "Prosedur pelayanan",
            "Service procedure",
            "Seberapa mudah prosedur pelayanan perpustakaan?",
            "How easy is the library's service procedure?",
        ),
        Element(
            "U2",
            "Persyaratan pelayanan",
            "Service requirements",
            "Bagaimana kesesuaian persyaratan pelayanan?",
            "How appropriate are the service requirements?",
        ),
        Element(
            "U3",
            "Kejelasan petugas pelayanan",
            "Clarity of service staff",
            "Seberapa jelas siapa petugas yang melayani dan tugasnya?",
            "How clear is who serves you and what they are responsible for?",
        ),
        Element(
            "U4",
            "Kedisiplinan petugas pelayanan",
            "Discipline of service staff",
            "Bagaimana kedisiplinan petugas, terutama ketepatan waktu kerja?",
            "How disciplined are the staff, especially about working hours?",
        ),
        Element(
            "U5",
            "Tanggung jawab petugas pelayanan",
            "Responsibility of service staff",
            "Bagaimana tanggung jawab petugas dalam menyelesaikan pelayanan?",
            "How responsible are the staff in completing the service?",
        ),
        Element(
            "U6",
            "Kemampuan petugas pelayanan",
            "Ability of service staff",
            "Bagaimana kemampuan petugas dalam memberikan pelayanan?",
            "How skilled are the staff?",
        ),
        Element(
            "U7",
            "Kecepatan pelayanan",
            "Speed of service",
            "Bagaimana kecepatan pelayanan?",
            "How fast is the service?",
        ),
        Element(
            "U8",
            "Keadilan mendapatkan pelayanan",
            "Fairness in receiving service",
            "Bagaimana keadilan pelayanan kepada semua pengunjung?",
            "How fairly are all visitors served?",
        ),
        Element(
            "U9",
            "Kesopanan dan keramahan petugas",
            "Courtesy and friendliness of staff",
            "Bagaimana kesopanan dan keramahan petugas?",
            "How polite and friendly are the staff?",
        ),
        Element(
            "U10",
            "Kewajaran biaya pelayanan",
            "Reasonableness of service cost",
            "Bagaimana kewajaran biaya pelayanan?",
            "How reasonable is the cost of the service?",
        ),
        Element(
            "U11",
            "Kepastian biaya pelayanan",
            "Certainty of service cost",
            "Bagaimana kesesuaian biaya yang dibayar dengan yang ditetapkan?",
            "How well does what you paid match the published fees?",
        ),
        Element(
            "U12",
            "Kepastian jadwal pelayanan",
            "Certainty of service schedule",
            "Bagaimana ketepatan jadwal pelayanan?",
            "How reliably does the service keep its schedule?",
        ),
        Element(
            "U13",
            "Kenyamanan lingkungan",
            "Comfort of the environment",
            "Bagaimana kebersihan, kerapian, dan kenyamanan perpustakaan?",
            "How clean, tidy and comfortable is the library?",
        ),
        Element(
            "U14",
            "Keamanan pelayanan",
            "Security of service",
            "Seberapa aman lingkungan dan sarana perpustakaan?",
            "How safe are the library's premises and facilities?",
        ),
    ),
    answers=_answers(),
    categories=_categories("81.26", "62.51", "43.76"),
)

STANDARDS: dict[str, Standard] = {s.code: s for s in (PERMENPANRB_14_2017, KEPMENPAN_25_2004)}
DEFAULT_STANDARD = PERMENPANRB_14_2017


def get_standard(code: str) -> Standard:
    try:
        return STANDARDS[code]
    except KeyError:
        known = ", ".join(STANDARDS)
        raise ValueError(f"unknown survey standard {code!r} (known: {known})") from None


def _as_standard(standard: Standard | str) -> Standard:
    return get_standard(standard) if isinstance(standard, str) else standard


# --- classification and display ------------------------------------------------------------


def _exact(value: Fraction | int | float | str) -> Fraction:
    # A float goes through its shortest repr, so 76.61 means 76.61 and not the binary value
    # just below it (which would be category C).
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def classify(ikm: Fraction | int | float | str, standard: Standard | str) -> Category:
    """Category of an unrounded IKM by the lower bounds of the standard.

    Lower bounds only, so nothing falls into the published gaps: under 2017 rules 88.305 is
    below 88.31 and therefore B, although it would print as 88.31 if rounded half-up (which is
    why ``format_ikm`` truncates). A float is read as the decimal it prints as.
    """
    std = _as_standard(standard)
    value = _exact(ikm)
    if not SCALE <= value <= 4 * SCALE:
        raise ValueError(f"IKM {float(value)} is outside 25..100")
    for category in std.categories:
        if value >= category.lower:
            return category
    raise AssertionError("the lowest category starts at 25")  # pragma: no cover


def format_ikm(ikm: Fraction | int | float, decimals: int = 2, decimal_mark: str = ".") -> str:
    """Display text for an IKM, truncated (not rounded) to ``decimals`` places.

    Category bounds are given to two decimals, so truncating keeps the shown number in the same
    category as the unrounded value (88.3099 shows as 88.30, category B under 2017 rules).
    """
    value = _exact(ikm)
    scaled = math.floor(value * 10**decimals)
    whole, frac = divmod(scaled, 10**decimals)
    return str(whole) if decimals == 0 else f"{whole}{decimal_mark}{frac:0{decimals}d}"


# --- minimum sample ------------------------------------------------------------------------


def krejcie_morgan(population: int) -> int:
    """Minimum sample for a population (Krejcie & Morgan 1970; 95 % confidence, 5 % margin).

    s = X^2 N P(1-P) / (d^2 (N-1) + X^2 P(1-P)) with X^2 = 3.841, P = 0.5, d = 0.05, rounded to the
    nearest whole number (halves up). Nearest, not up: that is what reproduces every entry of the
    published table (N=50 gives 44.34 -> 44 and N=500 gives 217.47 -> 217; rounding up would
    give 45 and 218).
    """
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise ValueError(f"population must be a positive whole number, got {population!r}")
    x2, p, d = Fraction("3.841"), Fraction(1, 2), Fraction("0.05")
    s = x2 * population * p * (1 - p) / (d * d * (population - 1) + x2 * p * (1 - p))
    return math.floor(s + Fraction(1, 2))


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IkmWarning:
    """Something a report must say next to the index.

    kind: ``no_answers`` (the element is left out of the index) or ``few_answers`` (fewer
    answers than the minimum sample).
    """

    kind: str
    element: str
    answers: int
    minimum: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "element": self.element,
            "answers": self.answers,
            "minimum": self.minimum,
            "message": self.message,
        }


@dataclass(frozen=True)
class ElementResult:
    code: str
    name: str
    name_en: str
    nrr: Fraction | None  # None when nobody answered this element
    answers: int
    distribution: tuple[int, int, int, int]  # how many answered 1, 2, 3, 4
    sufficient: bool | None  # None when no minimum sample was given

    @property
    def score(self) -> Fraction | None:
        """The element's NRR on the 25..100 scale (element-level 'IKM')."""
        return None if self.nrr is None else self.nrr * SCALE

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "nrr": None if self.nrr is None else float(self.nrr),
            "score": None if self.score is None else float(self.score),
            "answers": self.answers,
            "distribution": {str(v): n for v, n in zip(ANSWERS, self.distribution, strict=True)},
            "sufficient": self.sufficient,
        }


@dataclass(frozen=True)
class IkmResult:
    standard: Standard
    ikm: Fraction | None  # None when no element has any answer
    category: Category | None
    elements: tuple[ElementResult, ...]
    respondents: int  # respondents who answered at least one element
    minimum_sample: int | None
    population: int | None
    warnings: tuple[IkmWarning, ...]

    @property
    def complete(self) -> bool:
        """True when every element of the standard contributed to the index."""
        return all(e.nrr is not None for e in self.elements)

    def to_json(self) -> dict[str, Any]:
        cat = self.category
        return {
            "standard": self.standard.code,
            "standard_title": self.standard.title,
            "ikm": None if self.ikm is None else float(self.ikm),
            "ikm_display": None if self.ikm is None else format_ikm(self.ikm),
            "category": None if cat is None else cat.letter,
            "category_label": None if cat is None else cat.label,
            "category_label_en": None if cat is None else cat.label_en,
            "complete": self.complete,
            "respondents": self.respondents,
            "population": self.population,
            "minimum_sample": self.minimum_sample,
            "elements": [e.to_json() for e in self.elements],
            "warnings": [w.to_json() for w in self.warnings],
        }


# --- computation ---------------------------------------------------------------------------


def _check_answer(value: object) -> bool:
    # bool is an int subclass; True must not count as answer 1.
    return isinstance(value, int) and not isinstance(value, bool) and value in ANSWERS


def tally(
    respondents: Iterable[Mapping[str, int | None]], standard: Standard | str
) -> tuple[dict[str, list[int]], int]:
    """Count answers per element and value; return (element code -> [n1, n2, n3, n4], respondents).

    None means not answered (a skip is never an answer). A respondent with no answer at all is
    not counted. Raises ValueError naming the respondent index (0-based) and element code for an
    unknown code or an answer outside 1..4.
    """
    std = _as_standard(standard)
    counts = {code: [0, 0, 0, 0] for code in std.codes}
    answered = 0
    for index, respondent in enumerate(respondents):
        if not isinstance(respondent, Mapping):
            raise ValueError(f"respondent {index}: expected a mapping of element code to answer")
        any_answer = False
        for code, value in respondent.items():
            if code not in counts:
                raise ValueError(
                    f"respondent {index}: unknown element {code!r} for standard {std.code}"
                )
            if value is None:
                continue
            if not _check_answer(value):
                raise ValueError(
                    f"respondent {index}, element {code}: answer {value!r} not in 1..4"
                )
            counts[code][value - 1] += 1
            any_answer = True
        answered += any_answer
    return counts, answered


def summarize(
    counts: Mapping[str, Sequence[int]],
    standard: Standard | str,
    respondents: int,
    population: int | None = None,
) -> IkmResult:
    """IKM from per-element answer counts ([n1, n2, n3, n4]); reports can feed SQL tallies here.

    An element nobody answered is left out of the mean and flagged: it has no NRR, and any
    stand-in (0, 1, or the other elements' mean) would invent an opinion nobody gave. The index
    is then the mean over the answered elements and ``complete`` is False.
    """
    std = _as_standard(standard)
    unknown = set(counts) - set(std.codes)
    if unknown:
        raise ValueError(f"unknown element(s) {sorted(unknown)} for standard {std.code}")
    minimum = None if population is None else krejcie_morgan(population)
    elements: list[ElementResult] = []
    warnings: list[IkmWarning] = []
    for el in std.elements:
        raw = tuple(counts.get(el.code, (0, 0, 0, 0)))
        if len(raw) != 4 or any(not isinstance(n, int) or n < 0 for n in raw):
            raise ValueError(f"element {el.code}: counts must be four non-negative whole numbers")
        dist = (raw[0], raw[1], raw[2], raw[3])
        n = sum(dist)
        nrr = Fraction(sum(v * c for v, c in zip(ANSWERS, dist, strict=True)), n) if n else None
        sufficient = None if minimum is None else n >= minimum
        elements.append(ElementResult(el.code, el.name, el.name_en, nrr, n, dist, sufficient))
        if n == 0:
            warnings.append(
                IkmWarning(
                    "no_answers",
                    el.code,
                    0,
                    minimum,
                    f"{el.code} ({el.name_en}) has no answers and is left out of the index",
                )
            )
        elif minimum is not None and n < minimum:
            warnings.append(
                IkmWarning(
                    "few_answers",
                    el.code,
                    n,
                    minimum,
                    f"{el.code} ({el.name_en}) has {n} answers, fewer than the minimum sample "
                    f"{minimum} for a population of {population}",
                )
            )
    nrrs = [e.nrr for e in elements if e.nrr is not None]
    ikm = sum(nrrs, Fraction(0)) / len(nrrs) * SCALE if nrrs else None
    return IkmResult(
        standard=std,
        ikm=ikm,
        category=None if ikm is None else classify(ikm, std),
        elements=tuple(elements),
        respondents=respondents,
        minimum_sample=minimum,
        population=population,
        warnings=tuple(warnings),
    )


def compute_ikm(
    respondents: Iterable[Mapping[str, int | None]],
    standard: Standard | str = DEFAULT_STANDARD,
    population: int | None = None,
) -> IkmResult:
    """IKM of a set of respondents (each: element code -> 1..4 or None).

    ``population`` (people served in the period) sets the Krejcie & Morgan minimum sample; every
    element with fewer answers gets a warning.
    """
    std = _as_standard(standard)
    counts, answered = tally(respondents, std)
    return summarize(counts, std, answered, population)


# --- mini-survey rotation ------------------------------------------------------------------


def pick_elements(counts: Mapping[str, int], k: int, rng: Random) -> list[str]:
    """The ``k`` elements with the fewest answers so far, fewest first, ties broken by ``rng``.

    Asking these next keeps the answer counts of all elements within one of each other, so each
    element reaches its minimum sample at about the same time. Only the codes in ``counts`` are
    candidates (give every element of the standard, with 0 for the unanswered). If ``k`` exceeds
    the number of elements, all are returned.
    """
    if k < 0:
        raise ValueError(f"k must not be negative, got {k}")
    codes = sorted(counts)  # fixed starting order so a seeded rng gives repeatable picks
    rng.shuffle(codes)
    codes.sort(key=lambda code: counts[code])  # stable: shuffled order breaks ties
    return codes[:k]


# --- respondents' profile ------------------------------------------------------------------

# Age bands of the SKM form's profile ("umur"): reports group ages so that no row names one
# person's exact age.
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 19),
    (20, 29),
    (30, 39),
    (40, 49),
    (50, 59),
    (60, None),
)
AGE_MIN, AGE_MAX = 5, 110  # a respondent's possible age in years
_RANGE = re.compile(r"(\d{1,3})\s*[-–]\s*(\d{1,3})")


def band_label(low: int, high: int | None) -> str:
    if low == 0:
        return f"<{high + 1}" if high is not None else "-"
    return f"{low}+" if high is None else f"{low}-{high}"


def age_band(text: str) -> str:
    """The band of an age as written on a form: a whole number of years, or a range such as
    "20-29" or a band label ("<20", "60+"). Raises ValueError for anything else."""
    text = " ".join(text.split())
    if text.isdigit():
        age = int(text)
        if not AGE_MIN <= age <= AGE_MAX:
            raise ValueError(f"age {age} is not possible (use {AGE_MIN}-{AGE_MAX} years)")
        for low, high in AGE_BANDS:
            if age >= low and (high is None or age <= high):
                return band_label(low, high)
    labels = {band_label(lo, hi) for lo, hi in AGE_BANDS}
    if text.replace(" ", "") in labels:
        return text.replace(" ", "")
    if m := _RANGE.fullmatch(text):
        low, high = int(m.group(1)), int(m.group(2))
        if AGE_MIN <= low <= high <= AGE_MAX:
            return f"{low}-{high}"
    raise ValueError(f"age {text!r} is not a number of years or a range like 20-29")
