"""The board area: accounts, the submission queue, transcripts, exports, collation and the report."""

__all__: list[str] = []
