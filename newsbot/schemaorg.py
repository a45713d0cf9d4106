"""schema.org page types newsbot reads: one list, for page kinds and for the date search.

The article types are schema.org's `Article` and the subtypes news and blog pages
declare; the other groups are the types that say a page is no article.
"""

from __future__ import annotations

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "DiscussionForumPosting",
        "Review",
        "CriticReview",
    }
)
# The groups below say what a page is when it declares no article type beside them.
# A page of links to other pages:
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})
# Things on sale, and media pages (a video, a song, a gallery):
PRODUCT_TYPES = frozenset(
    {"Product", "ProductGroup", "IndividualProduct", "Offer", "AggregateOffer", "Book", "Movie"}
)
MEDIA_TYPES = frozenset(
    {
        "VideoObject",
        "MediaGallery",
        "ImageGallery",
        "VideoGallery",
        "MusicRecording",
        "MusicAlbum",
        "MusicGroup",
    }
)
# Open Graph og:type values (before the dot: `video.other`, `music.song`, `product.item`).
OG_ARTICLE = frozenset({b"article"})
OG_MEDIA = frozenset({b"video"})
OG_PRODUCT = frozenset({b"product", b"book", b"books"})
OG_MUSIC = frozenset({b"music"})
OG_PROFILE = frozenset({b"profile"})


def lower(types: frozenset[str]) -> frozenset[bytes]:
    """A type list as the lower-case bytes the head scan compares with."""
    return frozenset(t.lower().encode("ascii") for t in types)
