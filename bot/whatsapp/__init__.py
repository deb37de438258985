"""Everything WhatsApp (the Cloud API, on Meta's Graph API): the channel (webhooks read, replies
shown as buttons, lists or numbered text), the webhook route, and its running lanes."""

__all__: list[str] = []
