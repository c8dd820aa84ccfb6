"""Product information from a knowledge base of articles the operator edits as Markdown files.

Articles live in ``contactpro/data/kb/<language>/`` (or ``CONTACTPRO_KNOWLEDGE_DIR``): the first
``# `` line is the title, the first paragraph is the answer the bot gives. An article directly
in the language folder is the same in every market; one in a market folder
(``<language>/<market>/``, the market's country code: ``co``, ``mx``, ``us``) holds what depends
on the market (prices, coverage, currency) and answers only that market's customers. The same
topic has the same file name in each market folder.

Retrieval is TF-IDF over character n-grams (robust to typos and transcription errors), each
paragraph indexed with its article's title so a short question matching one paragraph is not
diluted by the rest of a long article; below the minimum score nothing is answered and the
dialog hands over to a person. A question best matched by an article of another market is
answered with the customer's market's article of the same name; when their market has none,
the match says so (``other_market``), so no other country's price is ever given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from contactpro.config import Settings
from contactpro.nlu.text import normalise

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "kb"


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


def read_article(path: Path, market: str | None = None) -> Article:
    """Parse one Markdown article."""
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    title = lines[0].lstrip("# ").strip() if lines and lines[0].startswith("#") else path.stem
    body = "\n".join(lines[1:] if lines and lines[0].startswith("#") else lines).strip()
    answer = body.split("\n\n", 1)[0].replace("\n", " ").strip()
    return Article(path.stem, title, answer, body, market)


class KnowledgeBase:
    """The articles of one language, shared and per market, indexed for retrieval."""

    def __init__(self, folder: Path) -> None:
        self.articles = [read_article(p) for p in sorted(folder.glob("*.md"))] + [
            read_article(p, p.parent.name.lower()) for p in sorted(folder.glob("*/*.md"))
        ]
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.owners: list[int] = []
        corpus = []
        for index, article in enumerate(self.articles):
            for paragraph in [p for p in article.body.split("\n\n") if p.strip()] or [""]:
                corpus.append(normalise(f"{article.title} {article.title} {paragraph}"))
                self.owners.append(index)
        self.matrix = self.vectorizer.fit_transform(corpus) if corpus else None

    def search(self, question: str, market: str | None) -> Match | None:
        """Return the best article for a customer of ``market`` (None: unknown market), or None
        when the base is empty."""
        if self.matrix is None or not question.strip():
            return None
        scores = linear_kernel(self.vectorizer.transform([normalise(question)]), self.matrix)[0]
        best = int(scores.argmax())
        article = self.articles[self.owners[best]]
        if article.market is None or article.market == market:
            return Match(article, float(scores[best]))
        # The question is on this topic: the customer's own market answers it ("fibre in
        # Monterrey?" from Colombia is answered with the Colombian cities).
        for local in self.articles:
            if local.slug == article.slug and local.market == market:
                return Match(local, float(scores[best]))
        return Match(article, float(scores[best]), other_market=True)


@lru_cache(maxsize=8)
def _knowledge_base(folder: str) -> KnowledgeBase:
    return KnowledgeBase(Path(folder))


def knowledge_base(settings: Settings, language: str) -> KnowledgeBase:
    """Return the knowledge base of ``language`` (built once per process)."""
    root = Path(settings.knowledge_dir) if settings.knowledge_dir else DEFAULT_DIR
    folder = root / language
    if not folder.is_dir():
        folder = root / "es"
    return _knowledge_base(str(folder))


@lru_cache(maxsize=8)
def _titles(root: str) -> dict[str, dict[str, str]]:
    """Map each language folder under ``root`` to its articles' titles by file name."""
    found: dict[str, dict[str, str]] = {}
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir()) if Path(root).is_dir() else []
    for folder in folders:
        articles = [read_article(p) for p in sorted(folder.glob("*.md"))]
        articles += [read_article(p) for p in sorted(folder.glob("*/*.md"))]
        found[folder.name] = {}
        for article in articles:
            found[folder.name].setdefault(article.slug, article.title)
    return found


def article_title(settings: Settings, slug: str, language: str) -> str | None:
    """Return the title of the article named ``slug`` (its file name) in ``language``.

    File names differ by language (``roaming`` / ``international-roaming``): an article only
    another language has is named by its own title, the one the customer was sent. None when
    no article has that name (since renamed or removed).
    """
    root = Path(settings.knowledge_dir) if settings.knowledge_dir else DEFAULT_DIR
    titles = _titles(str(root))
    for folder in [language, *sorted(titles)]:
        if title := titles.get(folder, {}).get(slug):
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
