"""Reading a hand-written YAML file against a schema, collecting every problem.

The front matter, a journal profile and an issue's `issue.yaml` are all YAML that editors
write by hand. A reader walks the parsed data with the typed checks below (a mapping with
known fields, a text, a date, a whole number, a value per language...), and records each
problem at the line and column where the editor has to fix it, instead of stopping at the
first: the editor sees the whole list at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

import pycountry

from typeset.errors import Problem, shown
from typeset.model.article import LangMap
from typeset.read import yamlsource

LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
URL = re.compile(r"^https?://[^\s<>\"]+$")
# What YAML's double-quoted escapes ("\x01", "\ud800") can smuggle past the file check in
# source.py: C0 controls, non-characters and lone surrogates, none of which XML can carry.
# "Cilt 12", "Vol. 12", "Sayı: 3", "No 3": a volume or issue written with its label word.
LABELLED_NUMBER = re.compile(
    r"^(?:cilt|c\.|vol(?:ume)?\.?|sayı|sayi|say\.|s\.|issue|iss\.|no\.?|number|nr\.?|"
    r"num\.?|band|bd\.|jg\.|tome|t\.)\s*[:.]?\s*(?P<value>[0-9][0-9A-Za-z./-]*)$",
    re.IGNORECASE)
TYPOGRAPHIC_OPENING = "“”„‘’‚«»‹›"
TYPOGRAPHIC_CLOSING = "”“‟’‘‛»«›‹"
SHORT_IDENTIFIER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]*$")
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class YamlReader:
    """Typed checks over YAML data; problems collect in `self.problems`."""

    def __init__(self, name: str, positions: yamlsource.Positions, first_line: int = 1):
        self.name = name
        self.positions = positions
        self.first_line = first_line
        self.problems: list[Problem] = []

    # -- reporting ----------------------------------------------------------------------

    def error(self, path: tuple, message: str, hint: str = "", at_key: bool = False) -> None:
        line, column = (self.positions.of_key(path) if at_key else self.positions.of(path))
        if line is None:
            line, column = self.first_line, 1
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path)
        field = field.replace(".[", "[")
        self.problems.append(Problem(self.name, line, column, message, field, hint))

    # -- generic checks -----------------------------------------------------------------

    def mapping(self, value: Any, path: tuple, fields: dict[str, bool]) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping of fields, got {describe(value)}")
            return None
        for key in value:
            if key not in fields:
                close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else (
                    "known fields: " + ", ".join(fields))
                self.error((*path, key), f"unknown field '{key}'", hint, at_key=True)
        for key, required in fields.items():
            given = value.get(key)
            if required and (given is None or (isinstance(given, str) and not given.strip())):
                if key in value:
                    self.error((*path, key), "must not be empty")
                else:
                    self.error(path, f"the required field '{key}' is missing")
        return value

    def mappings(self, value: Any, key: str, fields: dict[str, bool], *,
                 empty_allowed: bool = False, hint: str = "") -> list[tuple[tuple, dict]]:
        """Each mapping of the list `value` (the field `key`: authors, affiliations...),
        checked against `fields`, with its path; none when the field is absent. A value
        that is no list, or an empty list unless `empty_allowed`, is reported."""
        if value is None:
            return []
        if not isinstance(value, list) or not (value or empty_allowed):
            self.error((key,), f"the list of {key} is empty" if value == [] else
                       f"expected a list of {key}, got {describe(value)}", hint)
            return []
        found = []
        for index, item in enumerate(value):
            mapping = self.mapping(item, (key, index), fields)
            if mapping is not None:
                found.append(((key, index), mapping))
        return found

    def text(self, value: Any, path: tuple, *, optional: bool = False) -> str | None:
        if value is None:
            if not optional:
                self.error(path, "must not be empty")
            return None
        if not isinstance(value, str):
            if isinstance(value, bool):
                hint = ("YAML reads yes, no, on, off, true and false without quotes as "
                        "true/false: put the value in quotes")
            elif isinstance(value, int | float | dt.date):
                hint = "put the value in quotes if it is meant as text"
            else:
                hint = ""
            self.error(path, f"expected text, got {describe(value)}", hint)
            return None
        if match := FORBIDDEN_CHARS.search(value):
            self.error(path, f"contains the control character U+{ord(match.group()):04X}",
                       "remove the escape sequence that produces it")
            return None
        value = value.strip()
        if self.in_typographic_quotes(value, path):
            self.error(path, f"the value is written in typographic quotes "
                             f"({value[0]}...{value[-1]})",
                       "YAML's quotes are straight ones: write \"...\" or no quotes; word "
                       "processors make them typographic")
            return None
        if not value and not optional:
            self.error(path, "must not be empty")
            return None
        return value or None

    def in_typographic_quotes(self, value: str, path: tuple) -> bool:
        """A plain (unquoted) YAML value that starts and ends with typographic quotes: the
        editor meant YAML's quotes. Inside straight quotes they are the text's own."""
        style = self.positions.scalars.get(path, ("", None))[1]
        return (style is None and len(value) >= 2 and value[0] in TYPOGRAPHIC_OPENING
                and value[-1] in TYPOGRAPHIC_CLOSING)

    def scalar_text(self, path: tuple) -> str | None:
        """The value at `path` as written in the file (before YAML read it as a number)."""
        found = self.positions.scalars.get(path)
        return found[0] if found else None

    def identifier(self, value: Any, path: tuple) -> str | None:
        """An affiliation id: `ege`, or a number such as `1`, meant as text either way."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.text(value, path, optional=True)

    def number_or_text(self, value: Any, path: tuple) -> str | None:
        """`9` and `"9"` both mean the text 9."""
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.text(value, path)

    def volume_or_issue(self, value: Any, path: tuple, kind: str) -> str | None:
        """A volume or issue: a number or a short identifier ("12", "12A", "S1"; an issue
        may also be a text such as "Özel Sayı 2"), without the label word the style prints
        itself ("Cilt 12" would print "Cilt Cilt 12")."""
        text = self.number_or_text(value, path)
        if text is None:
            return None
        labelled = LABELLED_NUMBER.match(text)
        if labelled:
            self.error(path, f"'{shown(text)}' repeats the word the style prints before the "
                             f"{kind}", f"write just {labelled.group('value')}")
            return None
        if text.isdigit() and int(text) == 0:
            self.error(path, f"{kind} 0: {kind}s are numbered from 1")
            return None
        limit = 16 if kind == "volume" else 40
        if len(text) > limit or (kind == "volume" and not SHORT_IDENTIFIER.match(text)):
            self.error(path, f"'{shown(text)}' is not a {kind} number",
                       f"a {kind} is a number or a short identifier, e.g. 12 or 12A")
            return None
        return text

    def positive_int(self, value: Any, path: tuple) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(path, f"expected a whole number from 1, got {describe(value)}")
            return None
        return value

    def string_list(self, value: Any, path: tuple) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(path, f"expected a list, got {describe(value)}")
            return ()
        items = [self.text(item, (*path, index)) for index, item in enumerate(value)]
        return tuple(item for item in items if item)

    def date(self, value: Any, path: tuple) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                try:
                    return dt.date.fromisoformat(text)
                except ValueError as exc:
                    self.error(path, f"'{text}' is not a date: {exc}")
                    return None
        self.error(path, f"expected a date as YYYY-MM-DD, got {describe(value)}",
                   "e.g. 2022-12-28")
        return None

    def lang_map(self, value: Any, path: tuple, body_lang: str | None, convert,
                 required: tuple[str, ...] = ()) -> LangMap:
        """A language-tagged field: a plain value (in the body's language) or a mapping."""
        if value is None:
            return LangMap()
        if not isinstance(value, dict):
            converted = convert(value, path)
            if converted is None or body_lang is None:
                return LangMap()
            pairs = [(body_lang, converted)]
        else:
            pairs = []
            for lang, item in value.items():
                if not LANG.match(lang):
                    self.error((*path, lang), f"'{shown(lang)}' is not a language code",
                               "use a code such as en or tr", at_key=True)
                    continue
                converted = convert(item, (*path, lang))
                if converted is not None:
                    pairs.append((lang, converted))
        result = LangMap(tuple(pairs))
        for lang in required:
            if lang not in result and not self._reported_under(path):
                example = ", ".join(f"{code}: ..." for code in required)
                self.error(path, f"the {language_name(lang)} ({lang}) version is missing",
                           f"give one per language: {path[-1]}: {{{example}}}")
        return result

    def _reported_under(self, path: tuple) -> bool:
        dotted = ".".join(str(p) for p in path)
        return any(p.field == dotted or p.field.startswith(dotted + ".")
                   for p in self.problems)


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"the text '{shown(value, 40)}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code.split("-")[0])
    return language.name if language else code
