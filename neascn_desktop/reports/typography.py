"""Fonts and language tags of a report, per report language (Word XML and matplotlib).

Word picks the font of a character by its script: Latin and Cyrillic use the
``w:ascii``/``w:hAnsi`` slots, Han, kana and Hangul the ``w:eastAsia`` slot.
Han characters look different in Korean, Chinese and Japanese typography, so
the ``w:lang w:eastAsia`` tag and the East Asian font must match the text's
language.  The primary fonts are the ones Windows and macOS Office ship; when
they are missing (LibreOffice on Linux) fontconfig substitutes by the
language tag, i.e. Noto Sans CJK KR/SC/JP from ``fonts-noto-cjk``.  See
docs/reports.md for the table and the reasons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


@dataclass(frozen=True)
class LanguageFonts:
    """What a report in one language declares: fonts per slot and language tags."""

    latin: str  # ascii / hAnsi slots (Latin and Cyrillic)
    east_asia: str  # eastAsia slot (Han, kana, Hangul)
    lang: str  # w:lang w:val (BCP 47)
    lang_east_asia: str  # w:lang w:eastAsia
    #: matplotlib families, first with the needed glyphs wins (DejaVu covers Cyrillic).
    chart_families: tuple[str, ...]
    #: fonts Linux renderers substitute for the primary ones (written to fontTable w:altName).
    latin_fallback: str = "Liberation Sans"
    east_asia_fallback: str = "Noto Sans CJK SC"


LATIN = "Arial"  # metric-compatible Liberation Sans on Linux; covers Cyrillic incl. Ө Ү

FONTS: dict[str, LanguageFonts] = {
    "en": LanguageFonts(LATIN, "Microsoft YaHei", "en-GB", "zh-CN",
                        ("DejaVu Sans", "Noto Sans CJK SC")),
    # CJK reports tag their Latin-script runs (names, acronyms) en-US, as Word does for a
    # Korean/Chinese/Japanese document: LibreOffice applies the w:val language's line
    # breaking to Latin words, and a CJK tag there breaks them between any two letters.
    "ko": LanguageFonts(LATIN, "Malgun Gothic", "en-US", "ko-KR",
                        ("Noto Sans CJK KR", "DejaVu Sans"), east_asia_fallback="Noto Sans CJK KR"),
    "zh_Hans": LanguageFonts(LATIN, "Microsoft YaHei", "en-US", "zh-CN",
                             ("Noto Sans CJK SC", "DejaVu Sans"),
                             east_asia_fallback="Noto Sans CJK SC"),
    "ja": LanguageFonts(LATIN, "Yu Gothic", "en-US", "ja-JP",
                        ("Noto Sans CJK JP", "DejaVu Sans"), east_asia_fallback="Noto Sans CJK JP"),
    "ru": LanguageFonts(LATIN, "Microsoft YaHei", "ru-RU", "zh-CN",
                        ("DejaVu Sans", "Noto Sans CJK SC")),
    "mn": LanguageFonts(LATIN, "Microsoft YaHei", "mn-MN", "zh-CN",
                        ("DejaVu Sans", "Noto Sans CJK SC")),
}

#: East Asian fonts for CJK text that appears inside a report of another language
#: (a Korean answer quoted in an English report), chosen by the script of the text.
_SCRIPT_FONTS = {
    "ko": ("Malgun Gothic", "ko-KR"),
    "ja": ("Yu Gothic", "ja-JP"),
    "zh": ("Microsoft YaHei", "zh-CN"),
}
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK = re.compile("[\u1100-\u11ff\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def fonts_for(language: str) -> LanguageFonts:
    return FONTS.get(language, FONTS["en"])


def east_asian_script(text: str) -> str | None:
    """``ko``/``ja``/``zh`` for text with Hangul, kana or (only) Han characters, else ``None``."""
    if not _CJK.search(text):
        return None
    if _HANGUL.search(text):
        return "ko"
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    return None


def _set_rfonts(rpr, latin: str | None, east_asia: str | None) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    # Theme references override explicit names: drop them so our choice is used.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    if latin:
        rfonts.set(qn("w:ascii"), latin)
        rfonts.set(qn("w:hAnsi"), latin)
        rfonts.set(qn("w:cs"), latin)
    if east_asia:
        rfonts.set(qn("w:eastAsia"), east_asia)


def _set_lang(rpr, lang: str | None, lang_east_asia: str | None) -> None:
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.append(element)
    if lang:
        element.set(qn("w:val"), lang)
    if lang_east_asia:
        element.set(qn("w:eastAsia"), lang_east_asia)


def _rpr_of(parent):
    if hasattr(parent, "get_or_add_rPr"):  # python-docx elements keep the schema's child order
        return parent.get_or_add_rPr()
    rpr = parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        parent.append(rpr)
    return rpr


def apply_document_language(document, language: str) -> LanguageFonts:
    """Declare the report language's fonts and tags on docDefaults, every style and settings."""
    fonts = fonts_for(language)
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = _rpr_of(rpr_default)
    _set_rfonts(rpr, fonts.latin, fonts.east_asia)
    _set_lang(rpr, fonts.lang, fonts.lang_east_asia)
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) not in ("paragraph", "character", "table"):
            continue
        style_rpr = _rpr_of(style)
        _set_rfonts(style_rpr, None, fonts.east_asia)
        # Keep a style's own Latin font (e.g. a monospace one) but never a theme reference.
        rfonts = style_rpr.find(qn("w:rFonts"))
        if rfonts is not None and rfonts.get(qn("w:ascii")) is None:
            rfonts.set(qn("w:ascii"), fonts.latin)
            rfonts.set(qn("w:hAnsi"), fonts.latin)
            rfonts.set(qn("w:cs"), fonts.latin)
        _set_lang(style_rpr, fonts.lang, fonts.lang_east_asia)
    _set_theme_font_lang(document, fonts)
    _declare_font_table(document, fonts)
    return fonts


def _set_theme_font_lang(document, fonts: LanguageFonts) -> None:
    settings = document.settings.element
    element = settings.find(qn("w:themeFontLang"))
    if element is None:
        element = OxmlElement("w:themeFontLang")
        # Keep the schema order of w:settings (Word rejects it otherwise).
        successors = {qn(f"w:{name}") for name in _AFTER_THEME_FONT_LANG}
        follower = next((child for child in settings if child.tag in successors), None)
        if follower is not None:
            follower.addprevious(element)
        else:
            settings.append(element)
    element.set(qn("w:val"), fonts.lang)
    element.set(qn("w:eastAsia"), fonts.lang_east_asia)


_AFTER_THEME_FONT_LANG = (
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def _declare_font_table(document, fonts: LanguageFonts) -> None:
    """Add the fonts with their charset and an ``altName`` fallback to ``fontTable.xml``."""
    part = document.part
    font_part = None
    for rel in part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            font_part = rel.target_part
            break
    if font_part is None:
        return
    from lxml import etree

    root = etree.fromstring(font_part.blob)
    names = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    wanted = [(fonts.latin, fonts.latin_fallback, "00", "swiss")]
    charset = {"ko-KR": "81", "zh-CN": "86", "ja-JP": "80"}.get(fonts.lang_east_asia, "86")
    wanted.append((fonts.east_asia, fonts.east_asia_fallback, charset, "swiss"))
    for name, alt, charset_value, family in wanted:
        if name in names:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        cs = etree.SubElement(font, qn("w:charset"))
        cs.set(qn("w:val"), charset_value)
        fam = etree.SubElement(font, qn("w:family"))
        fam.set(qn("w:val"), family)
        pitch = etree.SubElement(font, qn("w:pitch"))
        pitch.set(qn("w:val"), "variable")
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def east_asian_for(fonts: LanguageFonts, text: str) -> tuple[str, str]:
    """(East Asian font, w:lang w:eastAsia) for a run: the report's, or its text's own script's.

    Hangul or kana inside a report of another language gets the Korean or
    Japanese font and tag; Han-only text follows the report's typography
    (Chinese in non-CJK reports).
    """
    script = east_asian_script(text) if text else None
    if script is not None and script != "zh":
        font, tag = _SCRIPT_FONTS[script]
        if tag != fonts.lang_east_asia:
            return font, tag
    return fonts.east_asia, fonts.lang_east_asia


def tag_run(run, fonts: LanguageFonts, text: str) -> None:
    """Give a python-docx run the East Asian font and language tags (see :func:`east_asian_for`).

    Every run carries the tags (Word otherwise guesses from the keyboard
    language of whoever opens the file).
    """
    font, tag = east_asian_for(fonts, text)
    rpr = run._r.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()  # after a w:rStyle, as the schema wants
    rfonts.set(qn("w:eastAsia"), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), fonts.lang)
    lang.set(qn("w:eastAsia"), tag)


#: Characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; lone
#: surrogates; U+FFFE and U+FFFF): lxml refuses them, and an answer from a package may have one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters a Word document cannot hold (dropped, the rest kept)."""
    return _NOT_XML.sub("", text)
