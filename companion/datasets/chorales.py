"""Bach's four-part chorales as piano rolls, read from the MusicXML files of music21's corpus.

Data: the chorale harmonisations of J. S. Bach encoded by Margaret Greentree (jsbchorales.net)
and shipped in the music21 corpus, the source of the JSB Chorales benchmark of
Boulanger-Lewandowski, Bengio and Vincent (2012), "Modeling temporal dependencies in
high-dimensional sequences: application to polyphonic music generation and transcription",
ICML. Files: ``music21/corpus/bach/bwv*.mxl`` (408 zipped MusicXML files) of the PyPI package
``music21==10.5.1`` (Cuthbert and Ariza, 2010, "music21: a toolkit for computer-aided
musicology and symbolic music data", ISMIR), installed with ``pip install --no-deps`` and never
imported: the files are parsed with ``zipfile`` and ``xml.etree``. Licence: music21 is
BSD-3-Clause; its corpus is "freely distributable" music licensed to the project (the scores
themselves are centuries old).

What the loader does, and why:

- Only scores with exactly four parts are kept: 364 of the 408 files, each with parts named
  Soprano, Alto, Tenor and Bass in that order. The other 44 add instruments (horns, trumpets,
  violins, continuo), have two soprano parts, or are a keyboard piece (bwv846); their names are
  in :attr:`Chorales.skipped`.
- Time is sampled on a fixed grid: a pitch is on at step ``k`` when a note sounds at time
  ``k / steps_per_quarter`` quarter notes (its onset is at or before that time, its end after).
  The default step is a quarter note, as in JSB Chorales: 79 % of all note onsets fall on a
  beat, sequences stay short (24 to 193 steps), and the passing eighths it misses are
  ornaments of the four-part harmony. ``step="eighth"`` catches 98.6 % of the onsets at twice
  the length; ``"sixteenth"`` all but five (thirty-seconds).
- Ties need no work: the roll records which pitches sound, not where notes start, so a tied
  note and a held note look the same (as in JSB Chorales). Rests are steps with no pitch.
  Grace notes (three in the corpus) take no time and are dropped.
- Repeats are ignored: the score is read once, top to bottom, as written. 153 of the 364
  chorales have repeat signs (the first section of a chorale tune is usually sung twice, to new
  words); it is read once. No four-part file writes out first and second endings.
- A part that sounds two pitches at once (a ``<chord/>`` or a second voice; none of the 364
  four-part scores does) keeps its outer pitch: the highest for soprano and alto, the lowest
  for tenor and bass.
- Pitches are MIDI numbers. The rolls cover :data:`LOWEST_PITCH` to :data:`HIGHEST_PITCH`
  (G1 to C6, 54 pitches): the chorales as written span C2 to A5 (36 to 81), and G1 to C6 once
  transposed to C major / A minor. Transposition is off by default.
- The split is by chorale and fixed: the movements (``bwv18.5`` for ``bwv18.5-lz`` and
  ``bwv18.5-w``, two versions of one movement that must stay together) are ordered by the SHA-256
  of their name; the first 80 % are train, the next 10 % validation, the rest test. That gives
  291 / 37 / 36 chorales (19,817 quarter-note steps in all; 1 % of the voice steps are rests).

Loading all 364 chorales takes 1.2 to 2 s on one CPU core (parsing the XML dominates); the
parse was checked against music21's own, chorale by chorale, on both grids.
"""

import contextlib
import gc
import hashlib
import io
import math
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import numpy as np

from companion import checks
from companion.datasets import real_files

DISTRIBUTION = "music21"
VERSION = real_files.PINNED[DISTRIBUTION]
PATTERN = "music21/corpus/bach/bwv*.mxl"
FILE_COUNT = 408
# SHA-256 of `LC_ALL=C sha256sum music21/corpus/bach/bwv*.mxl` (run in site-packages)
LISTING_SHA256 = "0fee8a4883943700fdedae6cfa9bf4a57b5240257f8184bad50fc61fc9e6ab4e"

VOICES = ("Soprano", "Alto", "Tenor", "Bass")
REST = -1
LOWEST_PITCH = 31   # G1: the lowest bass note once transposed (C2 = 36 as written)
HIGHEST_PITCH = 84  # C6: the highest soprano note once transposed (A5 = 81 as written)
STEPS_PER_QUARTER = {"quarter": 1, "eighth": 2, "sixteenth": 4}
# cumulative fractions of the movements (ordered by hash) for train and validation
SPLIT_BOUNDS = (0.8, 0.9)

_STEP_SEMITONES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_HIGHEST_KEPT = (True, True, False, False)  # soprano, alto: highest; tenor, bass: lowest
_NO_PITCH = np.iinfo(np.int16).max


@dataclass(frozen=True)
class ChoraleSplit:
    """The chorales of one split, in file-name order.

    ``names``: file names without ``.mxl`` (``"bwv1.6"``). ``voices``: per chorale an int16
    array ``(steps, 4)``, the MIDI pitch of soprano, alto, tenor and bass at each step, or
    :data:`REST`. ``rolls``: per chorale a uint8 array ``(steps, HIGHEST_PITCH - LOWEST_PITCH +
    1)``, 1 where a pitch sounds; column ``j`` is MIDI pitch ``LOWEST_PITCH + j``. Two voices in
    unison make a single 1 in the roll.
    """

    names: tuple
    voices: tuple
    rolls: tuple

    def __len__(self):
        return len(self.names)


@dataclass(frozen=True)
class Chorales:
    """The three splits, the grid they were sampled on and the files that were skipped."""

    train: ChoraleSplit
    validation: ChoraleSplit
    test: ChoraleSplit
    steps_per_quarter: int
    transposed: bool
    skipped: tuple  # file names without .mxl, scores without exactly four parts


def movement(name):
    """The movement a file name belongs to: ``"bwv18.5-lz"`` -> ``"bwv18.5"``."""
    return name.split("-")[0]


def assign_splits(names):
    """Map each file name to ``"train"``, ``"validation"`` or ``"test"``: the movements of
    ``names`` ordered by the SHA-256 of their name, the first 80 % train, the next 10 %
    validation, the rest test."""
    movements = sorted({movement(name) for name in names},
                       key=lambda m: hashlib.sha256(m.encode("utf-8")).hexdigest())
    cuts = [round(len(movements) * bound) for bound in SPLIT_BOUNDS]
    split = {m: "train" if i < cuts[0] else "validation" if i < cuts[1] else "test"
             for i, m in enumerate(movements)}
    return {name: split[movement(name)] for name in names}


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector: parsing builds over a million elements, which
    would trigger many full collections, and with TensorFlow imported each of them walks
    millions of objects (parsing was three times slower). Element trees hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _score(data):
    """The MusicXML root element inside a zipped ``.mxl`` file (bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
        return ElementTree.fromstring(archive.read(container.find(".//rootfile").get("full-path")))


def _midi(pitch):
    alter = pitch.findtext("alter")
    semitone = _STEP_SEMITONES[pitch.findtext("step")] + (round(float(alter)) if alter else 0)
    return 12 * (int(pitch.findtext("octave")) + 1) + semitone


def _part_notes(part, ticks_per_quarter):
    """``(notes, measure_lengths)`` of one part, in ticks: notes as ``(measure, onset, end,
    midi)`` with onset and end counted from the start of their measure. A measure lasts until
    its last note or rest ends: a trailing ``<forward>`` (an invisible filler) is not counted,
    as in music21."""
    notes, lengths = [], []
    scale = 1
    for index, measure in enumerate(part.iter("measure")):
        cursor = longest = onset = 0
        for element in measure:
            tag = element.tag
            if tag == "note":
                duration = element.findtext("duration")
                if duration is None:  # a grace note takes no time
                    continue
                ticks = int(duration) * scale
                if element.find("chord") is None:
                    onset = cursor
                    cursor += ticks
                pitch = element.find("pitch")
                if pitch is not None:
                    notes.append((index, onset, onset + ticks, _midi(pitch)))
                longest = max(longest, cursor)
            elif tag == "backup":
                cursor -= int(element.findtext("duration")) * scale
            elif tag == "forward":
                cursor += int(element.findtext("duration")) * scale
            elif tag == "attributes":
                divisions = element.findtext("divisions")
                if divisions is not None:
                    scale = ticks_per_quarter // int(divisions)
        lengths.append(longest)
    return notes, lengths


def _key_shift(score):
    """Semitones (-6 to 5) that move the first key signature to none (C major / A minor)."""
    fifths = int(score.findtext("part/measure/attributes/key/fifths") or 0)
    return (-7 * fifths + 6) % 12 - 6


def _voices(score, steps_per_quarter, transpose):
    """The ``(steps, 4)`` int16 voice array of a four-part score."""
    ticks_per_quarter = math.lcm(*{int(d.text) for d in score.iter("divisions")})
    parts = [_part_notes(part, ticks_per_quarter) for part in score.findall("part")]
    if len({len(lengths) for _, lengths in parts}) != 1:
        raise ValueError("the parts have different numbers of measures")
    # measures are aligned across parts: each lasts as long as its longest part
    starts = np.concatenate([[0], np.cumsum(np.max([lengths for _, lengths in parts], axis=0))])
    steps = -(-int(starts[-1]) * steps_per_quarter // ticks_per_quarter)
    shift = _key_shift(score) if transpose else 0
    voices = np.empty((steps, len(parts)), dtype=np.int16)
    for column, ((notes, _), highest) in enumerate(zip(parts, _HIGHEST_KEPT)):
        voice = voices[:, column]
        voice[:] = REST if highest else _NO_PITCH
        keep = np.maximum if highest else np.minimum
        for measure, onset, end, midi in notes:
            start = int(starts[measure])
            # the steps whose sampling time k / steps_per_quarter lies in [onset, end)
            first = -(-(start + onset) * steps_per_quarter // ticks_per_quarter)
            stop = -(-(start + end) * steps_per_quarter // ticks_per_quarter)
            voice[first:stop] = keep(voice[first:stop], midi + shift)
        voice[voice == _NO_PITCH] = REST
    return voices


def piano_roll(voices):
    """The uint8 piano roll ``(steps, HIGHEST_PITCH - LOWEST_PITCH + 1)`` of a voice array."""
    voices = np.asarray(voices)
    sounding = voices[voices != REST]
    if sounding.size and (sounding.min() < LOWEST_PITCH or sounding.max() > HIGHEST_PITCH):
        raise ValueError(f"Argument `voices`: pitches {sounding.min()} to {sounding.max()}; "
                         f"expected MIDI pitches from {LOWEST_PITCH} to {HIGHEST_PITCH} or "
                         f"{REST} (a rest).")
    roll = np.zeros((len(voices), HIGHEST_PITCH - LOWEST_PITCH + 1), dtype=np.uint8)
    steps, columns = np.nonzero(voices != REST)
    roll[steps, voices[steps, columns] - LOWEST_PITCH] = 1
    return roll


def _four_voices(score):
    """Whether a score has exactly four parts, named Soprano, Alto, Tenor and Bass."""
    names = [p.findtext("part-name", "").strip() for p in score.findall("part-list/score-part")]
    return len(score.findall("part")) == 4 and names == list(VOICES)


def read_chorale(data, step="quarter", transpose=False):
    """The int16 voice array ``(steps, 4)`` of one chorale, from the bytes of its ``.mxl``
    file; arguments as for :func:`load`. Raises ValueError unless the score has exactly four
    parts, named Soprano, Alto, Tenor and Bass."""
    step = checks.choice("step", step, tuple(STEPS_PER_QUARTER))
    transpose = checks.flag("transpose", transpose)
    with _cyclic_gc_paused():
        score = _score(data)
    if not _four_voices(score):
        raise ValueError("the score does not have exactly four parts named "
                         + ", ".join(VOICES))
    return _voices(score, STEPS_PER_QUARTER[step], transpose)


def load(step="quarter", transpose=False):
    """Load the four-part chorales and split them by chorale.

    Args:
        step: the time step, ``"quarter"`` (default, as in JSB Chorales), ``"eighth"`` or
            ``"sixteenth"`` note.
        transpose: when True, shift every chorale by -6 to +5 semitones so that its key
            signature has no sharps or flats (C major or A minor); default False, the keys
            as written.

    Returns:
        :class:`Chorales`. Raises ``real_files.DataFileError`` when music21 10.5.1's files
        are missing or changed.
    """
    step = checks.choice("step", step, tuple(STEPS_PER_QUARTER))
    transpose = checks.flag("transpose", transpose)
    files = real_files.read_files(DISTRIBUTION, VERSION, PATTERN, FILE_COUNT, LISTING_SHA256)
    kept, skipped = {}, []
    with _cyclic_gc_paused():
        for path, data in files.items():
            name = path.rsplit("/", 1)[-1].removesuffix(".mxl")
            score = _score(data)
            if _four_voices(score):
                kept[name] = _voices(score, STEPS_PER_QUARTER[step], transpose)
            else:
                skipped.append(name)
    split = assign_splits(list(kept))
    splits = {}
    for key in ("train", "validation", "test"):
        names = tuple(name for name in kept if split[name] == key)
        voices = tuple(kept[name] for name in names)
        splits[key] = ChoraleSplit(names, voices, tuple(piano_roll(v) for v in voices))
    return Chorales(**splits, steps_per_quarter=STEPS_PER_QUARTER[step],
                    transposed=transpose, skipped=tuple(skipped))
