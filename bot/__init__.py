"""How people reach the assistant: the web app, the terminal chat and (later) Telegram."""

__all__: list[str] = []
