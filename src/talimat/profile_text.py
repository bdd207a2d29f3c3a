"""Text measurement for profiles and dedup: word counts and normalized duplicate keys.

:func:`normalize_text` is the definition; :func:`measure_texts` measures the texts of one
record, :func:`measure_batch` those of many records at once, with a few byte-level calls
over one joined buffer instead of a few per text (the profile of a million records
spends most of its time here otherwise). Both fall back to the plain definition for
text their fast kernels do not cover, and property tests pin all three together
(``tests/test_profile_batch.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "is_turkish",
    "measure_batch",
    "measure_flat",
    "measure_texts",
    "normalize_text",
    "padded_form",
]


def _char_class(codes: list[int]) -> str:
    """A regex character class body for ``codes`` (sorted), written as ranges."""
    parts = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        first, last = re.escape(chr(start)), re.escape(chr(previous))
        parts.append(first if start == previous else f"{first}-{last}")
        start = previous = code
    return "".join(parts)


@dataclass(frozen=True)
class _FoldTables:
    shape: bytes  # whitespace → b" ", NUL kept, every other byte → b"x": words are b" x"
    fold: bytes  # whitespace → b" ", A–Z → a–z with I written as \x01 (a stand-in for ı)
    drop: bytes  # ASCII punctuation and control bytes, except NUL (the text separator)
    off_path: bytes  # deleting these leaves ASCII only if every character is fast-path safe


@cache
def _fold_tables() -> _FoldTables:
    """Byte tables for the fast path of :func:`measure_texts`, built once.

    The fast path takes UTF-8 text whose non-ASCII characters are all two-byte letters,
    marks or symbols (Latin, Greek, Cyrillic … blocks with no punctuation or whitespace
    in them): English, Turkish and most European text.
    """
    whitespace = [code for code in range(128) if chr(code).isspace()]
    shape = bytearray(b"x" * 256)
    fold = bytearray(range(256))
    for code in whitespace:
        shape[code] = fold[code] = 32
    shape[0] = 0
    fold[65:91] = bytes(range(97, 123))
    fold[ord("I")] = 1
    drop = bytes(code for code in range(1, 128) if _removed(chr(code)))
    safe_leads = [
        lead
        for lead in range(0xC2, 0xE0)
        if all(
            unicodedata.category(chr((lead - 0xC0) * 64 + low))[0] in "LNMS" for low in range(64)
        )
    ]
    return _FoldTables(bytes(shape), bytes(fold), drop, bytes([*safe_leads, *range(0x80, 0xC0)]))


def _removed(char: str) -> bool:
    """Normalization removes punctuation (P*), control and format characters (C*)."""
    return unicodedata.category(char)[0] in "PC" and not char.isspace()


@cache
def _removal_pattern() -> re.Pattern[str]:
    """The characters normalization removes, for text off the fast path (built once, 0.2 s)."""
    kept = [code for code in range(0x110000) if unicodedata.category(chr(code))[0] in "MS"]
    # Neither word character (letters, digits, "_"), whitespace, mark nor symbol: P* and C*.
    return re.compile(f"[^\\w\\s{_char_class(kept)}]+|_+")


_DOTLESS_I = "ı".encode()


_TURKISH_LETTERS = frozenset("ıİşŞğĞ")
_TURKISH_BYTES = tuple(letter.encode() for letter in sorted(_TURKISH_LETTERS))


def is_turkish(text: str) -> bool:
    """True when ``text`` holds a letter only Turkish (and Azerbaijani) spells: ı İ ş ğ.

    The cheap test that decides how :func:`normalize_text` folds ``I`` when no language
    is given: almost every Turkish sentence has one of them, English text never does.
    """
    return not _TURKISH_LETTERS.isdisjoint(text)


def _turkish(lang: str | None, text: str) -> bool:
    if lang is None:
        return is_turkish(text)
    return lang.lower().startswith("tr")


def _measure_plain(text: str, lang: str | None = None) -> tuple[int, bytes]:
    """Word count and normalized UTF-8 form of one text: the definition, the slow way."""
    split = text.split()
    joined = " ".join(split)
    if _turkish(lang, text):
        # str.replace is the fast spelling of turkish_lower's two Turkish mappings.
        lowered = joined.replace("İ", "i").replace("I", "ı").casefold()
    else:
        lowered = joined.casefold()
    normalized = " ".join(_removal_pattern().sub("", lowered).split())
    return len(split), normalized.encode("utf-8", "surrogatepass")


def measure_texts(texts: list[str], lang: str | None = None) -> tuple[list[int], bytes]:
    """The word count of each text and their normalized forms, NUL-separated, in UTF-8.

    The hot path of a profile. All the texts of a record go through a few byte
    translations at once and are never split into word objects; a record with text off
    the fast path (or a NUL in it) is measured text by text the plain way. Property tests
    check both ways against the definition in :func:`normalize_text`.
    """
    tables = _fold_tables()
    joined = "\x00".join(texts)
    encoded = joined.encode("utf-8", "surrogatepass")
    ascii_only = len(encoded) == len(joined)
    if (not ascii_only and not encoded.translate(None, tables.off_path).isascii()) or encoded.count(
        0
    ) != len(texts) - 1:
        if lang is None:  # one conversation, one language: any Turkish letter decides
            lang = "tr" if any(map(is_turkish, texts)) else "other"
        measured = [_measure_plain(text, lang) for text in texts]
        return [words for words, _ in measured], b"\x00".join(form for _, form in measured)
    words = [
        part.count(b" x") + part.startswith(b"x")
        for part in encoded.translate(tables.shape).split(b"\x00")
    ]
    folded = encoded.translate(tables.fold, tables.drop)
    while b"  " in folded:
        folded = folded.replace(b"  ", b" ")
    if len(texts) == 1:
        folded = folded.strip(b" ")
    else:
        folded = b"\x00".join([part.strip(b" ") for part in folded.split(b"\x00")])
    turkish_ok = lang is None or lang.lower().startswith("tr")
    if not ascii_only:  # non-ASCII capitals: İ the Turkish way, the rest by case folding
        decoded = folded.decode()
        if turkish_ok:
            decoded = decoded.replace("İ", "i")
        folded = decoded.casefold().encode()
    if b"\x01" in folded:  # a capital I: ı in Turkish text, i in any other
        if lang is None:  # one conversation, one language: any Turkish letter decides
            turkish_ok = any(mark in encoded for mark in _TURKISH_BYTES)
        folded = folded.replace(b"\x01", _DOTLESS_I if turkish_ok else b"i")
    return words, folded


def normalize_text(text: str, lang: str | None = None) -> str:
    """Text as the normalized-duplicate check sees it.

    Case-folded by the text's language: Turkish text the Turkish way
    (:func:`~talimat.language.turkish_lower`: ``İ`` → ``i``, ``I`` → ``ı``), any other text
    by plain case folding (``I`` → ``i``); punctuation (Unicode P*), control and format
    characters removed; runs of whitespace collapsed to one space:

    >>> normalize_text("  İSTANBUL'da   IŞIK! "), normalize_text("I do.")
    ('istanbulda ışık', 'i do')

    ``lang`` (``"tr"``, ``"en"`` …) says the language; by default a text counts as Turkish
    when it holds ı, İ, ş or ğ (:func:`is_turkish`), so English ``"I do"`` and ``"i do"``
    are the same while Turkish ``"KIRMIZI"`` still folds to ``"kırmızı"`` with
    ``lang="tr"``. The dedup and profile passes fold each record by its language: a
    record is Turkish when any of its texts is.
    """
    return measure_texts([text], lang)[1].decode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class _BatchTables:
    shape: bytes  # _FoldTables.shape with the record separator \x02 a separator too
    drop: bytes  # _FoldTables.drop without \x02, which stays to split the records


@cache
def _batch_tables() -> _BatchTables:
    tables = _fold_tables()
    shape = bytearray(tables.shape)
    shape[ord(_RECORD)] = 0
    return _BatchTables(bytes(shape), tables.drop.replace(_RECORD.encode(), b""))


_RECORD = "\x02"  # between records in a batch (a control character: never in a text it takes)
_WORD = ord("x")  # what the shape table writes for every byte that is not a separator


def _fast_record(texts: tuple[str, ...]) -> bool:
    """True when the batch kernel takes this record: the checks of :func:`measure_texts`."""
    joined = "\x00".join(texts)
    encoded = joined.encode("utf-8", "surrogatepass")
    if encoded.count(0) != len(texts) - 1 or _RECORD.encode() in encoded:
        return False
    return len(encoded) == len(joined) or encoded.translate(None, _fold_tables().off_path).isascii()


def measure_batch(records: list[tuple[str, ...]]) -> tuple[npt.NDArray[np.int64], list[bytes]]:
    """The word count of every text (in order) and the key form of each record.

    Exactly what :func:`measure_texts` gives for each record (no language given: a record
    is Turkish when any of its texts holds a Turkish letter), its normalized form written
    as :func:`padded_form` writes it; :func:`measure_flat` of the records' texts.
    """
    return measure_flat(list(chain.from_iterable(records)), list(map(len, records)))


def measure_flat(texts: list[str], sizes: list[int]) -> tuple[npt.NDArray[np.int64], list[bytes]]:
    """:func:`measure_batch` of records given as every text, in order, and each one's count.

    Computed for the whole batch at once: one joined buffer (texts separated by NUL,
    records by ``\\x02``, each with a space either side), one byte translation each for
    word shapes and case folding, word starts counted with numpy, case folding of
    non-ASCII text only for the records that have some. The texts are joined in one call
    and the record separators written in by position (numpy), so no record is joined
    on its own. Hand-written rather than with Arrow's string kernels, whose ideas of
    whitespace and case (``utf8_lower`` is not :meth:`str.casefold`) differ from Python's.
    A batch with a record off the fast path (text outside the checked character set, a
    NUL or ``\\x02`` in a text, no text at all) measures that record with
    :func:`measure_texts` and the others together.
    """
    import numpy as np

    if not sizes:
        return np.zeros(0, dtype=np.int64), []
    if 0 in sizes:  # a record with no text: off the fast path
        return _mixed_batch(_records(texts, sizes))
    # The padding spaces keep words apart and are what whitespace collapsing leaves of
    # the spaces around a separator: exactly one either side (see padded_form).
    joined = " " + " \x00 ".join(texts) + " "
    encoded = joined.encode("utf-8", "surrogatepass")
    ends = np.cumsum(sizes)  # each record's texts end before this text index
    wide: list[int] = []  # the records with non-ASCII text
    if len(encoded) != len(joined):
        ascii_texts = np.fromiter(map(str.isascii, texts), np.bool_, len(texts))
        firsts = ends - np.array(sizes, dtype=np.int64)  # each record's first text
        wide = np.flatnonzero(~np.logical_and.reduceat(ascii_texts, firsts)).tolist()
        wide_texts = [texts[index] for index in np.flatnonzero(~ascii_texts)]
        safe = "\x00".join(wide_texts).encode("utf-8", "surrogatepass")
        if not safe.translate(None, _fold_tables().off_path).isascii():
            return _mixed_batch(_records(texts, sizes))
    # The separators: NUL between texts, written over with \x02 after a record's last.
    if _RECORD.encode() in encoded:
        return _mixed_batch(_records(texts, sizes))
    separators = np.flatnonzero(np.frombuffer(encoded, dtype=np.uint8) == 0)
    if len(separators) != len(texts) - 1:  # a NUL in some text
        return _mixed_batch(_records(texts, sizes))
    buffer = bytearray(encoded)
    np.frombuffer(buffer, dtype=np.uint8)[separators[ends[:-1] - 1]] = 2
    # Word counts: a word starts where a word byte follows whitespace or a separator.
    word = np.frombuffer(buffer.translate(_batch_tables().shape), dtype=np.uint8) == _WORD
    starts = word[1:] > word[:-1]  # starts[i]: a word starts at byte i + 1
    # Text k lies between separators k - 1 and k (the buffer begins with a space).
    words = np.add.reduceat(starts, np.concatenate(([0], separators)), dtype=np.int64)
    # Key forms: the steps of measure_texts on the whole buffer, except that the spaces
    # around separators stay (see padded_form). Runs of spaces collapse with numpy: a
    # space right after a space goes (bytes.replace in a loop or re.sub: 5 to 10 times
    # slower on a batch).
    folded = bytes(buffer.translate(_fold_tables().fold, _batch_tables().drop))
    spaces = np.frombuffer(folded, dtype=np.uint8) == 32
    repeated = spaces[1:] & spaces[:-1]
    if repeated.any():
        keep = np.ones(len(folded), dtype=bool)
        np.logical_not(repeated, out=keep[1:])
        folded = np.frombuffer(folded, dtype=np.uint8)[keep].tobytes()
    forms = folded.split(b"\x02")
    if wide:  # non-ASCII capitals: İ the Turkish way, the rest by case folding
        parts = [forms[index] for index in wide]
        for at, part in enumerate(parts):
            if b"\x01" in part:  # a capital I: ı in a Turkish record, i in any other
                # Folding changed only ASCII bytes: the record's Turkish letters are all here.
                dotless = _DOTLESS_I if _TURKISH_UTF8.search(part) else b"i"
                parts[at] = part.replace(b"\x01", dotless)
        joined_parts = b"\x02".join(parts).replace(_DOTTED_CAPITAL_I, b"i")
        cased = _casefold_two_byte(joined_parts).split(b"\x02")
        for index, form in zip(wide, cased, strict=True):
            forms[index] = form
    if b"\x01" in folded:  # a capital I in an ASCII record: i
        forms = [form.replace(b"\x01", b"i") if b"\x01" in form else form for form in forms]
    return words, forms


_DOTTED_CAPITAL_I = "İ".encode()
_TURKISH_UTF8 = re.compile(b"|".join(re.escape(letter) for letter in _TURKISH_BYTES))


@cache
def _two_byte_folds() -> tuple[npt.NDArray[np.uint16], npt.NDArray[np.bool_]]:
    """For each code point below U+0800: its case fold when that is one code point of two
    UTF-8 bytes too (itself when folding keeps it), and whether it folds to anything else.

    :meth:`str.casefold` maps each character on its own (no context, unlike the final
    sigma of :meth:`str.lower`), so a table of single characters gives the fold of any text.
    """
    import numpy as np

    fold = np.arange(0x800, dtype=np.uint16)
    other = np.zeros(0x800, dtype=np.bool_)
    for code in range(0x80, 0x800):
        folded = chr(code).casefold()
        if folded == chr(code):
            continue
        if len(folded) == 1 and 0x80 <= ord(folded) < 0x800:
            fold[code] = ord(folded)
        else:  # ß → ss, ŉ → ʼn, İ → i̇ …: str.casefold does those
            other[code] = True
    return fold, other


def _casefold_two_byte(data: bytes) -> bytes:
    """``data.decode().casefold().encode()`` for UTF-8 text whose only non-ASCII characters
    are two bytes long and whose ASCII letters are folded already, done on the bytes.

    The fast path's text is such (:func:`_fold_tables`). Decoding, folding and encoding the
    non-ASCII records (the benchmark's Turkish fifth) cost about a fifth of the whole
    measurement; here each two-byte character is looked up in :func:`_two_byte_folds`
    with numpy and written back in place. Text with a character that folds to another
    length goes to :meth:`str.casefold` (the tests compare the two on every character).
    """
    import numpy as np

    octets = np.frombuffer(data, dtype=np.uint8)
    leads = np.flatnonzero(octets >= 0xC0)
    codes = ((octets[leads] & 0x1F).astype(np.uint16) << 6) | (octets[leads + 1] & 0x3F)
    fold, other = _two_byte_folds()
    if other[codes].any():
        return data.decode().casefold().encode()
    folded = fold[codes]
    changed = folded != codes
    if not changed.any():
        return data
    out = octets.copy()
    at, folded = leads[changed], folded[changed]
    out[at] = 0xC0 | (folded >> 6)
    out[at + 1] = 0x80 | (folded & 0x3F)
    return out.tobytes()


def _records(texts: list[str], sizes: list[int]) -> list[tuple[str, ...]]:
    """The texts of each record, as tuples."""
    out: list[tuple[str, ...]] = []
    at = 0
    for size in sizes:
        out.append(tuple(texts[at : at + size]))
        at += size
    return out


_SPACES = re.compile(b"  +")


def padded_form(form: bytes) -> bytes:
    """A record's normalized form (texts NUL-separated) with one space around each text.

    The form :func:`measure_batch` gives, which saves it stripping the spaces around
    every separator: it maps equal forms to equal forms and different ones to different
    ones (strip the spaces next to each NUL and at both ends to get the form back), so
    duplicate keys computed from either tell the same records apart. Two spaces arise
    only around an empty text and are collapsed, as the batch collapses them.
    """
    return _SPACES.sub(b" ", b" " + form.replace(b"\x00", b" \x00 ") + b" ")


def _mixed_batch(records: list[tuple[str, ...]]) -> tuple[npt.NDArray[np.int64], list[bytes]]:
    """:func:`measure_batch` of a batch with records off its fast path: those one by one."""
    import numpy as np

    fast = [index for index, texts in enumerate(records) if _fast_record(texts)]
    if fast:
        fast_words, fast_forms = measure_batch([records[index] for index in fast])
    chosen = set(fast)
    words: list[int] = []
    forms: list[bytes] = []
    offset = taken = 0
    for index, texts in enumerate(records):
        if index in chosen:
            words.extend(fast_words[offset : offset + len(texts)].tolist())
            forms.append(fast_forms[taken])
            offset += len(texts)
            taken += 1
        else:
            counts, form = measure_texts(list(texts))
            words.extend(counts)
            forms.append(padded_form(form))
    return np.array(words, dtype=np.int64), forms
