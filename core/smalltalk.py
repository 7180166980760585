"""Messages that are not questions: greetings, politeness and "may I ask" before the question.

Young people often open with "Dạ em chào anh chị ạ" or "cho em hỏi với" and send the question
in the next message. Taken as a question, the greeting became a draft that blocked the real one;
recognising it lets the bot ask for the question instead.
"""

from __future__ import annotations

from core.normalize import words

# Folded words that make up greetings and openings in Vietnamese and English, and nothing else.
_SMALL_TALK = frozenset(
    # Vietnamese (folded): greetings, forms of address, particles, "may I ask", thanks
    "a ad admin ak alo anh ban bot cac cam chao chi chu co cho da dang day em gioi ha hoi kinh "
    "minh moi muon nguoi nha nhe nho oi on qua thua toi van vang voi xin xiu chut ti mot cau duoc khong ah uh um "
    # English
    "hello hi hey dear good morning afternoon evening day there sir madam team thanks thank you "
    "please can could may i ask want to have a question questions".split()
)
MIN_WORDS = 3  # "Học phí?" or "Thuế online" say too little to be routed or answered


def is_small_talk(text: str) -> bool:
    """True for a greeting or opening with no question in it, and for a text of under MIN_WORDS words."""
    tokens = words(text)
    return len(tokens) < MIN_WORDS or all(token in _SMALL_TALK for token in tokens)
