"""Text from configs, data files and run directories, made safe for each output format.

Every string a report shows may come from a file a hostile user wrote (a dataset name, a model
name in an edited ``forecasts.csv``, a run id, a column name). The HTML templates autoescape;
the Markdown templates escape every expression by default (:func:`md_finalize`), with
:class:`MdSafe` marking what is already safe; LaTeX goes through :func:`tex_escape`. File and
folder names are never taken from file contents, only :func:`slug`-ified or numbered.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Sequence

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~<>@])")


class MdSafe(str):
    """Markdown that is already safe to emit as it is."""

    __slots__ = ()


def md_escape(text: object) -> MdSafe:
    """Markdown-safe inline text: HTML special characters and Markdown syntax neutralised, line
    breaks folded to spaces, autolinks (``scheme://``, ``www.``, ``@``) broken.

    >>> md_escape("<b>x_1 | y*</b>")
    '&lt;b&gt;x\\\\_1 \\\\| y\\\\*&lt;/b&gt;'
    >>> md_escape("a\\nb https://x.test")
    'a b https\\\\://x.test'
    """
    if isinstance(text, MdSafe):
        return text
    flat = re.sub(r"[\r\n\t\f\v]+", " ", str(text))
    escaped = html.escape(flat, quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    escaped = re.sub(r"(?<=[A-Za-z0-9]):(?=//)", r"\\:", escaped)
    escaped = re.sub(r"(?i)\b(www)\.", r"\1\\.", escaped)
    return MdSafe(escaped)


def md_finalize(value: object) -> object:
    """Jinja ``finalize`` of the Markdown templates: every ``{{ expression }}`` is escaped
    unless it is :class:`MdSafe`."""
    if value is None or isinstance(value, MdSafe):
        return value
    return md_escape(value)


def md_code(text: object, *, in_table: bool = False) -> MdSafe:
    """An inline code span that holds ``text`` literally, whatever backticks it contains.

    >>> md_code("a `b` c")
    '``a `b` c``'
    """
    flat = re.sub(r"[\r\n]+", " ", str(text))
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    if in_table:  # GitHub tables split cells at | even inside code spans
        flat = flat.replace("|", "\\|")
    return MdSafe(f"{fence}{pad}{flat}{pad}{fence}")


def md_join(items: Sequence[object], separator: str = ", ") -> MdSafe:
    """Each item escaped, then joined."""
    return MdSafe(md_escape(separator).join(md_escape(item) for item in items))


def md_path(path: object) -> MdSafe:
    """A relative file path the renderer made itself (letters, digits, ``_ . / -`` only)."""
    text = str(path)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", text) or ".." in text:
        raise ValueError(f"not a report file path: {text!r}")
    return MdSafe(text)


_TEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def tex_escape(text: object) -> str:
    """LaTeX-safe text; line breaks and other control characters become spaces.

    >>> tex_escape("50% of x_1 & y")
    '50\\\\% of x\\\\_1 \\\\& y'
    """
    flat = re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))
    return "".join(_TEX.get(ch, ch) for ch in flat)


def slug(text: object, fallback: str = "run") -> str:
    """A file-name-safe form of ``text``: letters, digits, ``.``, ``_`` and ``-`` only, never
    a path, never hidden, at most 100 characters.

    >>> slug("../../etc/passwd"), slug("20240101T000000Z-abcd1234"), slug("..")
    ('etc_passwd', '20240101T000000Z-abcd1234', 'run')
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)[:100].strip("._-")
    return cleaned or fallback


def shell_command(parts: Sequence[object]) -> str:
    """A command line that a POSIX shell reads back as exactly ``parts``.

    >>> shell_command(["shiftbench", "run", "--exog", "d; touch x #"])
    "shiftbench run --exog 'd; touch x #'"
    """
    return shlex.join(str(part) for part in parts)
