"""Unit tests of newsbot/dates/, one file a module."""
