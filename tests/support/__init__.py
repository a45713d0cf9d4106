"""Test helpers: real servers on loopback, crawls run as a user runs them, fixture sites."""
