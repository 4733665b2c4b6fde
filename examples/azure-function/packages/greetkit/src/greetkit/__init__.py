"""greetkit: greetings in a few languages, the example's local dependency."""

__version__ = "1.0.0"

GREETINGS = {
    "en": "Hello, {}!",
    "fr": "Bonjour, {} !",
    "de": "Hallo, {}!",
    "es": "¡Hola, {}!",
}
MAX_NAME = 64


def greeting(name, lang="en"):
    """Greet name in lang; ValueError for an unknown language or a bad name."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValueError("name must have 1 to %d characters" % MAX_NAME)
    if any(not ch.isprintable() for ch in name):
        raise ValueError("name must be printable text")
    try:
        template = GREETINGS[lang]
    except KeyError:
        known = ", ".join(sorted(GREETINGS))
        raise ValueError(
            "unknown language %r: use one of %s" % (lang, known)) from None
    return template.format(name)
