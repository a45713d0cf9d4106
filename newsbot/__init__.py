"""newsbot: a Scrapy-based news crawling and archiving pipeline."""

__version__ = "0.1.0"
