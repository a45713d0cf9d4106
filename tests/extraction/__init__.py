"""Unit tests of newsbot/extraction/, one file a module."""
