"""Extraction: what happens to an article page off the reactor thread, and the order it
leaves in.

`pool` runs `page.process_page` in worker processes (or, with EXTRACT_WORKERS=-1, in the
crawl's own thread); a worker decodes and parses the page, reads its article with
`article` (trafilatura), `fallback` (readability, trafilatura's recall mode) and `cleanup`
(furniture rules), and computes everything the stateful stages need. `order` releases the
results in capture order. No Scrapy here: `newsbot.pipelines.extract` is the adapter.
"""
