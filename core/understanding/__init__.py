"""Understanding questions by meaning: categories and duplicates from terms, a lexicon and examples.

See docs/understanding.md for what was tried and measured.
"""
