"""newsbot's own signals, sent with ``crawler.signals.send_catch_log``.

The archive stage says when a record waits for its site's template and when a record is
written (its JSONL line, then its state record): the shared frontier acknowledges a
leased request only then (newsbot/frontier/ledger.py); nothing else needs to listen.
"""

record_held = object()  # record_id=: a record held back until its site's template is known
record_written = object()  # record_id=: a record's line and state record are written
