"""Unit tests of newsbot/extensions/, one file a module."""
