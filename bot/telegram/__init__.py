"""Everything Telegram: the python-telegram-bot Application, webhook and polling."""

__all__: list[str] = []
