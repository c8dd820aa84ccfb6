"""Product information from a knowledge base of articles the operator edits as Markdown files.

Articles live in ``contactpro/data/kb/<language>/`` (or ``CONTACTPRO_KNOWLEDGE_DIR``): the first
``# `` line is the title, the first paragraph is the answer the bot gives. An article directly
in the language folder is the same in every market; one in a market folder
(``<language>/<market>/``, the market's country code: ``co``, ``mx``, ``us``) holds what depends
on the market (prices, coverage, currency) and answers only that market's customers. The same
topic has the same file name in each market folder.

Retrieval is TF-IDF over character n-grams (robust to typos and transcription errors), each
paragraph indexed with its article's title so a short question matching one paragraph is not
diluted by the rest of a long article, weighed with the share of the question's topic words
(function words dropped, the product's vocabulary folded: "300 megas" is "300 Mb", "subir la
velocidad" an upgrade, one-letter typos read as the word) the paragraph or its title has; below
the minimum score nothing is answered and the dialog hands over to a person. A question best
matched by an article of another market is answered with the customer's market's article of
the same name; when their market has none, the match says so (``other_market``), so no
other country's price is ever given.

File names differ by language (``roaming`` / ``international-roaming``): ``translations.toml``
at the base's root links each article to its translation, so a page names an article the
customer was sent in one language by its title in the reader's.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from contactpro.config import Settings
from contactpro.dialog import applied
from contactpro.nlu.text import fold, normalise

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "kb"
# Words of a question that say nothing about its topic ("¿qué planes tienen?" is about plans).
FUNCTION_WORDS = frozenset(
    """
    a al algo alguno algun como con cual cuales cuando cuanto cuanta cuantos cuantas de del el
    en es esta este esto hay la las lo los me mi mis no o para por puedo pueden puede que quiero
    quisiera saber se si sus su te tiene tienen tengo tu tus un una uno unos unas usted ustedes y
    ya yo hola buenas gracias favor necesito gustaria dime decir informacion info mas muy
    ofrecen ofrece manejan solo solamente unicamente son
    about am an and any are can could do does for have how i if is it much many my of on or
    please the there to want was what which would you your hi hello thanks get tell know need
    more information offer offers long whats one ones just only
    """.split()
)
# The product's vocabulary: what customers say, folded to the word the articles use ("300
# megas" is the plans article's "300 Mb"; "subir la velocidad" its "upgrade").
VOCABULARY = {
    "price": "vale valen cuesta cuestan costo costos precio precios tarifa tarifas cobran sale "
    "salen pagaria pagar pago pesos dolares barato barata baratos economico cost costs price "
    "prices priced pay charge dollars cheap cheaper cheapest",
    "mb": "mb mbps mega megas megabits megabytes meg megs",
    "speed": "velocidad rapido rapida lento speed fast faster slow",
    "upgrade": "subir mejorar aumentar upgrade upgrades upgrading increase raise",
    "downgrade": "bajar reducir downgrade downgrades lower",
    "tv": "tv tele television canales canal channels channel",
    "mobile": "celular celulares telefono movil mobile phone phones cell cellphone",
    "due": "vence vencimiento limite llega due deadline",
    "gb": "gb giga gigas gigabytes gigs",
    "includes": "incluye incluyen trae traen include includes",
    "coverage": "cobertura barrio zona sector direccion coverage area neighborhood address",
    "free": "gratis gratuito gratuita free",
}
SYNONYMS = {word: concept for concept, words in VOCABULARY.items() for word in words.split()}
# "300mb" is "300 mb"; "1.500 pesos" is one number, never the 500 Mb plan.
_DIGITS_THEN_LETTERS = re.compile(r"(?<=\d)(?=[a-z])")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")
# Phrases whose words alone say otherwise: "sin costo" is free, not a price; "how much" asks one;
# wanting a cheaper plan ("quiero un plan más barato", "I want a smaller plan") is moving to
# one, a downgrade, where "cheaper plans?" alone asks the prices.
PHRASES = {
    "free": r"sin (?:ningun )?(?:costo|cargo|cobro)( adicional)?|at no (?:extra )?(?:cost|charge)"
    r"|free of charge|no (?:extra )?charge",
    "price": r"how much",
    "downgrade": r"(?:quiero|quisiera|necesito|prefiero|pasarme a|cambiarme a|cambiar a|pasar a) "
    r"(?:un )?plan (?:mas )?(?:barato|economico|pequeno|chico|sencillo|basico)"
    r"|(?:want|need|prefer|switch to|move to|change to|go to|get) (?:a |to a )?"
    r"(?:cheaper|smaller|less expensive|more affordable|lower priced) plan"
    # "bájenme el plan", "algo más barato", "anything cheaper": a smaller plan, asked loosely.
    r"|(?:bajar|bajarme|bajarlo|bajame|bajeme|bajenme|bajen) (?:el |mi |de )?plan"
    r"|(?:algo|alguno|otro|uno) (?:mas )?(?:barato|economico)"
    r"|(?:anything|something|one) (?:cheaper|less expensive|more affordable)",
    # "porfa", "xfa": a please, which says nothing of what is asked.
    "please": r"porfa|porfis|xfa",
    # Fibre or coverage in a place ("¿tienen fibra en Pasto?", "fiber in Chicago?") asks about
    # coverage, whether or not the articles name the place.
    "coverage": r"(?:fibra|fiber|fibre|cobertura|coverage) (?:en|in|at) [a-z]+",
}
_PHRASES = [(re.compile(rf"\b(?:{pattern})\b"), word) for word, pattern in PHRASES.items()]
# How much the share of the question's topic words a paragraph has adds to its wording's score
# when choosing the paragraph of an article that answers: a tie-breaker.
PARAGRAPH_TOPIC_WEIGHT = 0.08
# Links each article to its translation: ``[[article]]`` entries of language = file name.
TRANSLATIONS = "translations.toml"


# A paragraph that opens with the question it answers: "¿Funciona ...? Sí: ...", "Does ...? Yes".
_OPENING_QUESTION = re.compile(r"^\s*(?:¿[^?]*\?|[^.!?¿]*\?)\s+(?=\S)")


@dataclass(frozen=True)
class Article:
    """One knowledge-base article; ``market`` is None for an article shared by every market."""

    slug: str
    title: str
    answer: str
    body: str
    market: str | None = None


@dataclass(frozen=True)
class Match:
    """The best article for a question, and how sure retrieval is.

    ``other_market`` is True when only other markets have an article on the question: the
    article is theirs and must not be told to this customer.
    """

    article: Article
    score: float
    other_market: bool = False
    # The paragraph of the article that answers the question ("¿cuánto tarda la instalación?"
    # is the plans article's second paragraph); empty: the article's first paragraph.
    paragraph: str = ""
    # How alike in wording alone the question and the article are (``score`` also weighs the
    # topic words they share): a question another intent claims must be worded like it.
    spelling: float = 0.0

    @property
    def answer(self) -> str:
        """Return what the customer is told: the paragraph that answers the question, without
        the question a paragraph written as a FAQ opens with ("¿Funciona el celular en
        Europa? Sí: ..." says "Sí: ..."), which only helps retrieval."""
        text = self.paragraph or self.article.answer
        answered = _OPENING_QUESTION.sub("", text, count=1)
        return answered if answered.strip() else text


def read_article(path: Path, market: str | None = None) -> Article:
    """Parse one Markdown article."""
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else path.stem
    body = "\n".join(lines[1:] if lines and lines[0].startswith("#") else lines).strip()
    answer = body.split("\n\n", 1)[0].replace("\n", " ").strip()
    return Article(path.stem, title, answer, body, market)


class KnowledgeBase:
    """The articles of one language, shared and per market, indexed for retrieval."""

    def __init__(self, folder: Path, approved: Path | None = None) -> None:
        # The approved proposals' articles (``approved``) are added; same name: replaced.
        files = _article_files(folder) | (_article_files(approved) if approved else {})
        self.articles = [
            read_article(path, path.parent.name.lower() if "/" in name else None)
            for name, path in files.items()
        ]
        # scikit-learn (a second to import) loads with the first index: commands that never
        # answer a question do not pay for it.
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.owners: list[int] = []
        self.paragraphs: list[str] = []
        corpus = []
        for index, article in enumerate(self.articles):
            for paragraph in [p for p in article.body.split("\n\n") if p.strip()] or [""]:
                corpus.append(normalise(f"{article.title} {article.title} {paragraph}"))
                self.owners.append(index)
                self.paragraphs.append(" ".join(paragraph.split()))
        self.matrix = self.vectorizer.fit_transform(corpus) if corpus else None
        # Each indexed paragraph's topic words (its title's and its own) and how rare each is.
        self.terms = [
            terms(f"{self.articles[owner].title} {paragraph}")
            for owner, paragraph in zip(self.owners, self.paragraphs, strict=True)
        ]
        self.words = Words(
            frozenset(word for text in corpus for word in text.split() if not word.isdigit())
            | frozenset(SYNONYMS)
        )
        counts = Counter(term for found in self.terms for term in found)
        self.rarity = {
            term: math.log((1 + len(corpus)) / (1 + n)) + 1 for term, n in counts.items()
        }
        self.unseen = math.log(1 + len(corpus)) + 1
        # The paragraphs alone (no title) and their own topic words: which paragraph of the
        # article found answers.
        self.own_terms = [terms(paragraph) for paragraph in self.paragraphs]
        self.paragraph_matrix = (
            self.vectorizer.transform([normalise(p) for p in self.paragraphs]) if corpus else None
        )

    def search(self, question: str, market: str | None) -> Match | None:
        """Return the best article for a customer of ``market`` (None: unknown market), or None
        when the base is empty."""
        if self.matrix is None or not question.strip():
            return None
        asked = self.vectorizer.transform([normalise(question)])
        # Spelling (character n-grams, robust to typos) and topic (the share of the question's
        # topic words, in the product's vocabulary, the paragraph or its title has) weigh
        # alike; a question on something the base never names ("venden iphones") covers little.
        # Spelling alone still counts when the paragraph shares a topic word: a question
        # carrying another request ("se me cae el internet, y cuánto vale el plan móvil") names
        # the article among many other words. Sharing none, it is only alike in spelling
        # ("venden televisores" is not the TV plan's "televisión").
        spelling = (asked @ self.matrix.T).toarray()[0]
        asked_terms = terms(question, self.words)
        topic = self._coverage(asked_terms) ** 2
        blend = 0.5 * spelling + 0.5 * topic
        scores = np.where(topic > 0, np.maximum(spelling, blend), blend)
        best = int(scores.argmax())
        article = self.articles[self.owners[best]]
        score, alike = float(scores[best]), float(spelling[best])
        if article.market is None or article.market == market:
            index = self.owners[best]
            return Match(
                article, score, paragraph=self._paragraph(asked, asked_terms, index), spelling=alike
            )
        # The question is on this topic: the customer's own market answers it ("fibre in
        # Monterrey?" from Colombia is answered with the Colombian cities).
        for index, local in enumerate(self.articles):
            if local.slug == article.slug and local.market == market:
                paragraph = self._paragraph(asked, asked_terms, index)
                return Match(local, score, paragraph=paragraph, spelling=alike)
        return Match(article, score, other_market=True, spelling=alike)

    def _coverage(self, asked: set[str]) -> Any:
        """Return, for each indexed paragraph, the share of the topic words ``asked`` it has,
        each word weighed by its rarity (a word the base never uses weighs most)."""
        # A plan size or price named ("el de 300 megas") says the topic more than any word; one
        # the base never names ("el plan de 1000 megas") says none, so it weighs nothing.
        weights = {
            term: self.rarity.get(term, 0 if term.isdigit() else self.unseen)
            * (2 if term.isdigit() else 1)
            for term in asked
        }
        total = sum(weights.values())
        if not total:
            return np.zeros(len(self.terms))
        return np.array(
            [sum(w for term, w in weights.items() if term in found) / total for found in self.terms]
        )

    def _paragraph(self, asked: Any, topic: set[str], index: int) -> str:
        """Return the paragraph of article ``index`` that best answers the question ``asked``
        (its topic words ``topic``), scored without the title, which every paragraph shares;
        empty for the first."""
        if self.paragraph_matrix is None:
            return ""
        rows = [row for row, owner in enumerate(self.owners) if owner == index]
        scores = (asked @ self.paragraph_matrix[rows].T).toarray()[0]
        # The topic words a paragraph itself has break a near tie of wording: "¿cuál es el plan
        # más barato?" is answered by the paragraph with the plans' prices, not the one on what
        # prices include; a clearer difference of wording still decides.
        weights = {term: self.rarity.get(term, 0.0) for term in topic}
        if total := sum(weights.values()):
            shares = [
                sum(w for term, w in weights.items() if term in self.own_terms[row]) / total
                for row in rows
            ]
            scores = scores + PARAGRAPH_TOPIC_WEIGHT * np.array(shares)
        best = int(scores.argmax())
        return "" if best == 0 else self.paragraphs[rows[best]]


class Words:
    """The words a base knows, grouped by first sound for finding what a typo meant."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self.by_sound: dict[str, list[str]] = {}
        for word in sorted(words):
            self.by_sound.setdefault(_sound(word), []).append(word)

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __bool__(self) -> bool:
        return bool(self.words)

    def typo_of(self, word: str) -> str | None:
        """Return the known word ``word`` is a typo of: one letter off, same length give or
        take one, the same first sound (b and v sound alike in Spanish)."""
        for other in self.by_sound.get(_sound(word), ()):
            if _one_letter_off(word[1:], other[1:]):
                return other
        return None


NO_WORDS = Words(frozenset())


def _sound(word: str) -> str:
    return word[0].replace("v", "b")


def terms(text: str, known: Words = NO_WORDS) -> set[str]:
    """Return the topic words of ``text``: no function words, the product's vocabulary folded
    to one word per concept, the rest cut to a crude stem (planes/plan, canales/canal).

    A word that is neither in ``known`` (the base's words) nor in the vocabulary is read as the
    closest of them when it is a likely typo of it ("plam", "megaz", "bale" for "vale").
    """
    text = _DIGITS_THEN_LETTERS.sub(" ", _THOUSANDS.sub("", fold(text)))
    for phrase, word in _PHRASES:
        text = phrase.sub(word, text)
    found = set()
    for word in normalise(text.replace("'", " ")).split():
        # A lone letter ("what's", "y", "o") says nothing; a lone digit may be a plan's.
        if word in FUNCTION_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        if known and len(word) > 3 and word not in known and word not in SYNONYMS:
            word = known.typo_of(word) or word
        found.add(_term(word))
    return found


def _term(word: str) -> str:
    if word in SYNONYMS:
        return SYNONYMS[word]
    word = word[:-1] if len(word) > 3 and word.endswith("s") else word
    word = word[:-1] if len(word) > 3 and word.endswith("e") else word
    return word[:5]


def _one_letter_off(word: str, other: str) -> bool:
    """Return True when one letter changed, added or dropped turns ``word`` into ``other``."""
    if len(word) == len(other):
        return sum(a != b for a, b in zip(word, other, strict=True)) == 1
    shorter, longer = sorted((word, other), key=len)
    return len(longer) - len(shorter) == 1 and any(
        longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer))
    )


def _article_files(folder: Path) -> dict[str, Path]:
    """Return a language folder's articles by name: shared ones, then per market (mx/x.md)."""
    paths = [*sorted(folder.glob("*.md")), *sorted(folder.glob("*/*.md"))]
    return {path.relative_to(folder).as_posix(): path for path in paths}


@lru_cache(maxsize=8)
def _knowledge_base(folder: str, approved: str, version: str) -> KnowledgeBase:
    return KnowledgeBase(Path(folder), Path(approved) if approved else None)


def knowledge_base(settings: Settings, language: str) -> KnowledgeBase:
    """Return the knowledge base of ``language`` with the approved proposals' articles (built
    once per process, again when an approval changes them)."""
    root = Path(settings.knowledge_dir) if settings.knowledge_dir else DEFAULT_DIR
    folder = root / language
    if not folder.is_dir():
        folder = root / "es"
    version = applied.version(settings.var_dir)
    approved = applied.root(settings.var_dir) / "kb" / folder.name
    return _knowledge_base(
        str(folder), str(approved) if version and approved.is_dir() else "", version
    )


@lru_cache(maxsize=8)
def _titles(root: str, version: str = "") -> dict[str, dict[str, str]]:
    """Map each language folder under ``root`` to its articles' titles by file name (read
    again when ``version`` changes)."""
    found: dict[str, dict[str, str]] = {}
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir()) if Path(root).is_dir() else []
    for folder in folders:
        articles = [read_article(p) for p in sorted(folder.glob("*.md"))]
        articles += [read_article(p) for p in sorted(folder.glob("*/*.md"))]
        found[folder.name] = {}
        for article in articles:
            found[folder.name].setdefault(article.slug, article.title)
    return found


@lru_cache(maxsize=8)
def translations(root: str) -> tuple[dict[str, str], ...]:
    """Return the articles linked to their translations under ``root`` (language -> file name),
    from its ``translations.toml``; none when the base has no such file."""
    path = Path(root) / TRANSLATIONS
    if not path.is_file():
        return ()
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get("article", [])
    return tuple({str(k): str(v) for k, v in entry.items()} for entry in entries)


def translated_slug(root: str, slug: str, language: str) -> str | None:
    """Return the file name in ``language`` of the article named ``slug`` in any language, or
    None when it is not linked to a translation in ``language``."""
    for entry in translations(root):
        if slug in entry.values() and language in entry:
            return entry[language]
    return None


def article_title(settings: Settings, slug: str, language: str) -> str | None:
    """Return the title of the article named ``slug`` (its file name) in ``language``.

    File names differ by language (``roaming`` / ``international-roaming``): an article sent in
    another language is named by its translation's title; one with no translation in
    ``language`` by its own title, the one the customer was sent. None when no article has
    that name (since renamed or removed).
    """
    root = Path(settings.knowledge_dir) if settings.knowledge_dir else DEFAULT_DIR
    titles = _titles(str(root))
    version = applied.version(settings.var_dir)
    if version:  # an approved article is named by its title (same name: it replaced the file)
        approved = _titles(str(applied.root(settings.var_dir) / "kb"), version)
        titles = {
            folder: {**titles.get(folder, {}), **approved.get(folder, {})}
            for folder in titles.keys() | approved.keys()
        }
    own = titles.get(language, {})
    if title := own.get(slug) or own.get(translated_slug(str(root), slug, language) or ""):
        return title
    for folder in sorted(titles):
        if title := titles[folder].get(slug):
            return title
    return None


def answer(
    settings: Settings,
    language: str,
    market: str | None,
    question: str,
    min_score: float | None = None,
) -> Match | None:
    """Return the article answering ``question`` for a customer of ``market`` (or the match
    saying only another market has one), or None when nothing is close enough."""
    match = knowledge_base(settings, language).search(question, market)
    threshold = settings.knowledge_min_score if min_score is None else min_score
    if match is None or match.score < threshold:
        return None
    return match
