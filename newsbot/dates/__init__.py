"""Dates: a page's publication and modification times, in UTC and in the site's zone.

`parse` normalises one date string, with the patterns of `patterns`; `sources` reads
where a page prints its dates and `search` chooses among them; `zones` knows zones,
abbreviations and offsets; `sitezones` learns a site's zone from its pages. No Scrapy:
`newsbot.pipelines.dates` is the adapter.
"""
