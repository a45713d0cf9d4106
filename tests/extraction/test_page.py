"""Decoding pages in the workers: declared UTF-8 with stray bytes stays UTF-8."""

from __future__ import annotations

from newsbot.extraction.page import decode
from support import faultsite

PAGE = faultsite.article_html(*faultsite.ARTICLES["river-cleanup"]).encode()

TEXT = (
    "Die Mäuse sind am Dienstag fröhlich über die Brücke gelaufen, schön für alle, "
    "sagte der Bürgermeister später im Rathaus. "
) * 4


def page(text: str) -> str:
    return f"<html><head><title>Brücke</title></head><body><p>{text}</p></body></html>"


def test_a_few_stray_bytes_in_utf8_are_replaced_not_misread() -> None:
    raw = page(TEXT).encode("utf-8")
    raw = raw[:60] + b"\xff" + raw[60:120] + b"\xc3" + raw[120:]
    text, fallback = decode(raw, "utf-8")
    assert not fallback
    assert text.count("\ufffd") == 2
    assert "fröhlich über die Brücke" in text and "Ã" not in text


def test_legacy_bytes_declared_utf8_still_fall_back() -> None:
    raw = (
        page("Lefèvre a été élu à Genève.").encode("cp1252").replace(b"<html>", b'<html lang="fr">')
    )
    text, fallback = decode(raw, "utf-8")
    assert fallback and "Lefèvre a été élu à Genève." in text
    many = page(TEXT).encode("utf-8")
    many = b"\xff".join(many[i : i + 40] for i in range(0, len(many), 40))  # a stray every 40 bytes
    assert decode(many, "utf-8")[1]  # too many to be strays


def test_lying_charsets_fall_back_by_meta_then_language() -> None:
    from newsbot.extraction.page import decode

    cp1252 = faultsite.article_html(faultsite.CP1252_TITLE, faultsite.CP1252_PARAS).encode("cp1252")
    text, fallback = decode(cp1252, "utf-8")
    assert fallback and "Zoë Lefèvre" in text
    sjis = faultsite.article_html(
        faultsite.SJIS_TITLE, faultsite.SJIS_PARAS, charset="shift_jis", lang="x"
    )
    text, fallback = decode(sjis.encode("shift_jis"), "utf-8")  # header lies, <meta> is right
    assert fallback and faultsite.SJIS_TITLE in text
    assert decode(PAGE, "utf-8") == (PAGE.decode(), False)
