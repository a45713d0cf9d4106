"""Unit tests of newsbot/spiders/, one file a module."""
