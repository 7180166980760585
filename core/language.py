"""Which configured language a young person wrote in.

langdetect alone misreads Vietnamese typed without diacritics ("em ban hang online tren
shopee...") as Indonesian or Tagalog, and it is unstable on short text. Vietnamese is
easy to recognise by rule instead: its letters (ă, ơ, ư, đ, tone marks) and, without
them, its closed syllable shapes and function words. The rules vote token by token;
langdetect only breaks a tie, restricted to the configured languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from core.normalize import fold

# A folded Vietnamese syllable: optional onset, vowel nucleus, optional coda. Spelling
# rules: k/gh/ngh come only before e, i, y; c/g/ng never do (gi is its own onset,
# and a whole syllable in "gì", "gìn").
_ONSET = r"(?:ngh(?=[eiy])|gh(?=[eiy])|k(?=[eiy])|ng(?![eiy])|g(?![eiy])|c(?![eiy])|ch|gi|kh|nh|ph|qu|th|tr|[bdhlmnprstvx])"
_CLOSABLE = r"(?:a|e|i|o|u|y|ie|oa|oe|oo|ua|ue|uo|uy|uye|ye)"
_OPEN = r"(?:ai|ao|au|ay|eo|eu|ia|ieu|iu|oai|oao|oay|oeo|oi|ui|uoi|uou|uu|uya|uyu|yeu)"
_CODA = r"(?:ch|ng|nh|[cmnpt])"
_SYLLABLE = re.compile(rf"{_ONSET}?(?:{_CLOSABLE}{_CODA}?|{_OPEN})|gi{_CODA}?")

# Letters that only Vietnamese (among the supported languages) writes.
_VIETNAMESE_LETTERS = frozenset(
    "ăâđêôơư"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)

# Function words, folded. Words common to both once folded ("the" and "thể", "can" and
# "cần", "my" and "Mỹ", "so" and "số") are in neither list.
_STOPWORDS = {
    "vi": frozenset(
        "khong co cua la va cho em toi minh chung cac nhung duoc thi nay nao gi bao nhieu "
        "lam sao nhu voi de trong khi da se dang roi chua hay hoac ve tai tu ra vao oi nhe "
        "u vay kia ay cung rat phai muon biet hoi xin cam on chao ban anh chi ho nguoi neu "
        "vi nen o dau".split()
    ),
    "en": frozenset(
        "i you we they is are was were been does did will would should could "
        "what how when where why who which there their this these those with for of "
        "and or not about from by as if any some have has had our your us please "
        "want need get young people province".split()
    ),
}
_LETTERS = re.compile(r"[^\W\d_]+")
_STRONG, _WEAK = 2.0, 0.5
_MIN_LANGDETECT_WORDS = 3


class LanguageDetector:
    """Picks one of the configured languages for a message; the first is the default."""

    def __init__(self, languages: Sequence[str]) -> None:
        if not languages:
            raise ValueError("at least one language is required")
        self.languages = tuple(languages)
        DetectorFactory.seed = 0  # langdetect is random unless seeded

    @property
    def default(self) -> str:
        return self.languages[0]

    def configured(self, tag: str) -> str | None:
        """The configured language a platform's tag ("en-US", "vi") names, if any."""
        primary = tag.replace("_", "-").split("-", 1)[0].lower()
        return primary if primary in self.languages else None

    def detect(self, text: str) -> str:
        """The language of `text`; the default when the text is too short to tell."""
        if (clear := self.clearly(text)) is not None:
            return clear
        if len(_LETTERS.findall(text)) < _MIN_LANGDETECT_WORDS:
            return self.default
        return self._langdetect(text)

    def clearly(self, text: str) -> str | None:
        """The configured language `text` is plainly written in ("xin chào", "how do I..."), else None:
        a greeting then says more than the app's language, which many Vietnamese set to English."""
        tokens = _LETTERS.findall(text)
        if not tokens:
            return None
        votes = self._votes(tokens)
        ranked = sorted(votes, key=votes.__getitem__, reverse=True)
        best, runner_up = ranked[0], ranked[1]
        if votes[best] - votes[runner_up] >= _STRONG and best in self.languages:
            return best
        return None

    @staticmethod
    def _votes(tokens: list[str]) -> dict[str, float]:
        """Evidence per language: strong for Vietnamese letters and function words, weak
        for a word that is (or cannot be) a Vietnamese syllable."""
        votes = {"vi": 0.0, "en": 0.0}
        for token in tokens:
            folded = fold(token)
            lowered = token.lower()
            if any(ch in _VIETNAMESE_LETTERS for ch in lowered):
                # A capitalised word may be a place name ("Hưng Yên") inside English.
                votes["vi"] += _WEAK if token[0].isupper() else _STRONG
            elif folded in _STOPWORDS["vi"]:
                votes["vi"] += _STRONG
            elif folded in _STOPWORDS["en"]:
                votes["en"] += _STRONG
            elif _SYLLABLE.fullmatch(folded):
                votes["vi"] += _WEAK
            else:
                votes["en"] += _WEAK
        return votes

    @cached_property
    def _factory(self) -> DetectorFactory:
        """langdetect's profiles, loaded on first need: most messages never get here."""
        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        return factory

    def _langdetect(self, text: str) -> str:
        """langdetect's most probable language among the configured ones: a zero prior
        for every other language keeps it from answering Indonesian or Swedish."""
        detector = self._factory.create()
        try:
            detector.set_prior_map(dict.fromkeys(self.languages, 1.0))
            detector.append(text)
            guesses = detector.get_probabilities()
        except LangDetectException:  # no usable features, or no configured language known to it
            return self.default
        return guesses[0].lang if guesses and guesses[0].lang in self.languages else self.default
