"""svodka: Russian-language news to a knowledge base of international relations."""
__version__ = "0.1.0"
