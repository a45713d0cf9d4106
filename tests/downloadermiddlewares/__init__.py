"""Unit tests of newsbot/downloadermiddlewares/, one file a module."""
