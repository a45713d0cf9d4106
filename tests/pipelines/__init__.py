"""Unit tests of newsbot/pipelines/, one file a module."""
