"""Trying an office day before living it: arrival profiles, counter plans,
queueing theory and the figures of a day. Pure parts only; the simulated day
itself runs the real server in `server/sim`."""

from __future__ import annotations


class SimInputError(ValueError):
    """Input the simulator cannot use. `key` names the catalogue text (with
    `params`), so the message reaches the user in their language."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def text(self, lang: str = "id") -> str:
        from antrean.i18n import tr

        return tr(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.text("en")
