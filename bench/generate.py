"""A deterministic benchmark corpus built from the seeds.

Documents are recombined from the sentences of the seed articles' body paragraphs, then
dressed the way scraped pages are: boilerplate lines of every kind the default rules
target (with varied wording, in several languages), look-alike lines the rules must
keep, non-ASCII punctuation in about 70% of documents (the rest are straightened to
ASCII), real mojibake in about 5% (UTF-8 bytes decoded as Windows-1252 or Latin-1),
stray accents in about 2%, doubled words and blank-line runs now and then.

The same seed and size give the same bytes on any machine (one `random.Random`).

    python bench/generate.py --size small     # ~20 MB  -> bench/data/small/
    python bench/generate.py --size full      # ~250 MB -> bench/data/full/

Each size folder holds `corpus.jsonl` (one record per document: id, url, text, meta)
and `corpus.txt`, the same texts concatenated, each followed by one blank line, for
line tools such as grep (see bench/README.md for why one file).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
SIZES = {"tiny": 2_000_000, "small": 20_000_000, "full": 250_000_000}
SEED = 20240229

# --- the body text -------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")
_NOT_BODY = ("READ", "[", "date ", "Please ", "Twitter:")


def seed_sentences() -> list[str]:
    """Sentences of the seeds' body paragraphs (boilerplate and injected typos left out)."""
    sentences: list[str] = []
    for path in sorted(SEEDS.iterdir()):
        for para in path.read_text(encoding="utf-8").split("\n"):
            para = para.strip()
            if len(para) < 120 or para.startswith(_NOT_BODY):
                continue
            for s in _SENTENCE_END.split(para):
                if len(s) > 30 and "/" not in s and "the the" not in s and "á" not in s:
                    sentences.append(s)
    return sentences


# --- boilerplate the default rules remove ----------------------------------------------

OUTLETS = ["The Example Post", "Daily Example", "Ars Technica", "The Hill", "Metro Herald", "Le Monde Exemple",
           "CNBC", "Der Beispiel-Kurier", "El País Ejemplo", "Gazeta Przykładowa"]  # fmt: skip
READ_MORE_LEADS = ["Read more", "Read also", "Also read", "Read next", "Must read", "Don't miss", "Recommended",
                   "Lesen Sie auch", "Mehr zum Thema", "Lire aussi", "À lire aussi", "Lea también", "Leer más",
                   "Czytaj też", "Zobacz także", "Leggi anche", "Leia também", "Lees ook"]  # fmt: skip
READ_MORE_SEPS = [": ", " : ", " — ", " » ", "… ", " | ", ":\u00a0"]
BARE_LINKS = ["Read more »", "Read more", "Continue reading…", "Continue reading ...", "Weiterlesen",
              "Lire la suite", "Read the full story →", "Czytaj dalej", "Leia mais"]  # fmt: skip
RELATED = ["RELATED", "Related", "Related stories", "Related coverage", "More on this story", "Verwandte Artikel",
           "Articles liés", "Artículos relacionados"]  # fmt: skip
COMMENT_LINES = ["Please enter your comment!", "Please enter your name here", "Post Comment",
                 "You have entered an incorrect email address!", "Required fields are marked *",
                 "Save my name, email, and website in this browser for the next time I comment.",
                 "Notify me of follow-up comments by email.", "Notify me of new posts by email.",
                 "Ihre E-Mail-Adresse wird nicht veröffentlicht.", "Cancel reply", "Log in to Reply"]  # fmt: skip
REPLY_HEADS = ["Leave a Reply", "Leave a Comment", "Leave a Reply Cancel reply", "Schreibe einen Kommentar",
               "Laisser un commentaire", "Deja una respuesta", "Dodaj komentarz"]  # fmt: skip
REPLY_FIELDS = ["Comment", "Name *", "Email *", "Website", "Comment *", "Name", "E-Mail"]
AGENCIES = ["AFP", "Getty Images", "AP", "Reuters", "EPA-EFE", "dpa", "Xinhua", "Bloomberg", "Shutterstock",
            "picture alliance", "ANSA", "PA Images"]  # fmt: skip
NAMES = ["Jane Doe", "John Roe", "Mark Schiefelbein", "Andy Wong", "Ng Han Guan", "Anna Nowak", "Luis García",
         "Marie Dubois", "Jörg Müller", "Kim Lee"]  # fmt: skip
CREDIT_LEADS = ["Photo", "Photo credit", "Image", "Foto", "Bildquelle", "Crédit photo", "Zdjęcie", "Credit"]
NETWORKS = ["Twitter", "Instagram", "X", "Bluesky", "Threads", "Mastodon"]
SHARE = ["Share this:", "Share this article", "Share on Facebook", "Facebook Twitter WhatsApp Email",
         "Teilen: Facebook | Twitter", "Partager sur Facebook", "Facebook, Twitter, LinkedIn, Email",
         "Share: Twitter / Reddit / Copy link"]  # fmt: skip
ADS = ["Advertisement", "ADVERTISEMENT", "Advertising", "Anzeige", "— Publicité —", "Sponsored",
       "Story continues below advertisement", "Article continues below", "- Advertisement -", "Publicidad"]  # fmt: skip

# --- look-alikes the rules must keep ---------------------------------------------------

LOOKALIKES = [
    "READ the label before use - it matters.",
    "Readers can read the full report online - it is free.",
    "Read more books this year, the survey advises.",
    "Lesen Sie auch die Packungsbeilage, bevor Sie das Mittel nehmen.",
    "Continue reading the report if you have time.",
    "Related questions were raised by both sides during the talks.",
    "[Editor's note: This story has been updated to correct a date]",
    "[Applause]",
    "[1] Smith, J. (2019). A study of things.",
    "Please enter your comment in the form below if you were affected by the outage.",
    "Cancel reply buttons are confusing, the designers admitted.",
    "Leave a reply if you like, the author wrote, and she read every one.",
    "The deal was reported by two agencies (AP and Reuters).",
    "Prices rose 3 percent (year on year/seasonally adjusted).",
    "Photo: The minister said the plan would cut costs. Critics disagreed, saying it would not.",
    "Photography is her passion, she says.",
    "© 2019 The Author. All rights reserved.",
    "The release date 2019-02-15 was confirmed.",
    "date ranges such as 2019-02-15 to 2019-03-01 are inclusive.",
    "Twitter: the company said @mentions would change next year.",
    "He wrote on Twitter: @agency, please respond.",
    "Facebook and Twitter both declined to comment.",
    "Share prices fell sharply on Friday.",
    "Advertisement spending rose 5 percent last year.",
    "Anzeige erstatten will die Polizei nicht.",
    "He had had enough of the talks, and he said that that was the end of it.",
    "She updated her résumé at the café and felt naïve about the job in Zürich.",
]

ACCENTED_WORDS = ["café", "Zürich", "José", "naïve", "résumé", "São Paulo", "Ciudad de México", "Kraków", "Ångström"]
STRAY = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}
ASCII_PUNCT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "--", "–": "-", "…": "...", "\u00a0": " "})


class Generator:
    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.sentences = seed_sentences()

    # small helpers
    def pick(self, items: list[str]) -> str:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def headline(self) -> str:
        words = self.pick(self.sentences).strip('“”"').split()
        n = self.rng.randint(6, min(12, len(words)))
        text = " ".join(words[:n]).rstrip(',.;:!?—-”"')
        return text[0].upper() + text[1:]

    def paragraph(self) -> str:
        return " ".join(self.pick(self.sentences) for _ in range(self.rng.randint(1, 5)))

    def boilerplate(self) -> list[str]:
        """One piece of boilerplate of a random kind (most are one line)."""
        r = self.rng.randrange(15)
        if r == 0:
            gap = self.pick(["\u00a0 ", "  ", " ", "\u00a0"])
            return [f"READ{gap}{self.headline()} {self.pick(['-', '–', '—'])} {self.pick(OUTLETS)}"]
        if r == 1:
            bullet = self.pick(["", "", "► ", "» ", "• "])
            return [f"{bullet}{self.pick(READ_MORE_LEADS)}{self.pick(READ_MORE_SEPS)}{self.headline()}"]
        if r == 2:
            return [self.pick(BARE_LINKS)]
        if r == 3:
            lead = self.pick(RELATED)
            return [f"{lead}: {self.headline()}" if self.chance(0.7) else lead]
        if r == 4:
            return [f"[{self.headline()}]"]
        if r == 5:
            return self.rng.sample(COMMENT_LINES, self.rng.randint(1, 3))
        if r == 6:
            credit = "/".join([self.pick(NAMES), *self.rng.sample(AGENCIES, self.rng.randint(1, 2))])
            return [f"{self.pick(self.sentences)} ({credit})"]
        if r == 7:
            who = f"{self.pick(NAMES)}/{self.pick(AGENCIES)}" if self.chance(0.5) else self.pick(AGENCIES)
            return [f"{self.pick(CREDIT_LEADS)}: {who}"]
        if r == 8:
            return [f"© {self.pick(NAMES)}/{self.pick(AGENCIES)}"]
        if r == 9:
            return [f"date 20{self.rng.randint(10, 24)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"]
        if r == 10:
            handle = self.pick(NAMES).replace(" ", "_").lower()
            net = self.pick(NETWORKS)
            return [self.pick([f"{net}: @{handle}", f"Follow @{handle} on {net}.", f"Follow me on {net} @{handle}"])]
        if r == 11:
            return [self.pick(SHARE)]
        if r == 12:
            return [self.pick(ADS)]
        if r == 13:  # a date header fused to a paragraph: only the prefix goes
            return [f"date 2019-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)} {self.paragraph()}"]
        return [f"{self.pick(['Twitter', 'Instagram'])}: @{self.pick(NAMES).split()[0].lower()}news"]

    def document(self) -> str:
        paras = [self.headline()] + [self.paragraph() for _ in range(self.rng.randint(3, 14))]
        if self.chance(0.1):
            paras.insert(1, self.pick(ACCENTED_WORDS) + " — " + self.paragraph())
        # Boilerplate in about half the documents, one to five pieces, anywhere but the title.
        if self.chance(0.55):
            for _ in range(self.rng.randint(1, 5)):
                at = self.rng.randint(1, len(paras))
                paras[at:at] = self.boilerplate()
        if self.chance(0.25):
            paras.insert(self.rng.randint(1, len(paras)), self.pick(LOOKALIKES))
        if self.chance(0.04):
            paras.append(self.pick(REPLY_HEADS))
            paras.extend(self.rng.sample(REPLY_FIELDS, self.rng.randint(2, 5)))
        if self.chance(0.03):
            i = self.rng.randrange(1, len(paras))
            paras[i] = re.sub(r"\b(the|of|to|and) ", r"\1 \1 ", paras[i], count=1)
        if self.chance(0.02):
            i = self.rng.randrange(1, len(paras))
            paras[i] = self.stray_accent(paras[i])
        if self.chance(0.05):
            for _ in range(self.rng.randint(1, 3)):
                i = self.rng.randrange(len(paras))
                paras[i] = self.mojibake(paras[i])
        text = self.join(paras)
        if not self.chance(0.7):
            text = text.translate(ASCII_PUNCT)  # about 30% of pages have plain ASCII punctuation
        return text

    def join(self, paras: list[str]) -> str:
        out = []
        for p in paras:
            out.append(p)
            out.append(self.pick(["\n\n", "\n\n", "\n\n", "\n", "\n\n\n", "\n\n \n"]))
        if self.chance(0.2):
            out[-1] = ""  # no final newline
        return "".join(out)

    def stray_accent(self, para: str) -> str:
        words = [m for m in re.finditer(r"\b[a-z]{6,}\b", para)]
        if not words:
            return para
        m = self.pick(words)  # type: ignore[arg-type]
        word = m.group()
        vowels = [i for i, c in enumerate(word) if c in STRAY]
        if not vowels:
            return para
        i = self.pick(vowels)  # type: ignore[arg-type]
        return para[: m.start()] + word[:i] + STRAY[word[i]] + word[i + 1 :] + para[m.end() :]

    def mojibake(self, para: str) -> str:
        """Real mojibake: the paragraph's UTF-8 bytes decoded as Windows-1252 (or Latin-1)."""
        if para.isascii():
            para = para.replace(" ", f" {self.pick(ACCENTED_WORDS)} ", 1)
        data = para.encode("utf-8")
        if self.chance(0.8):
            # Windows-1252 leaves five bytes undefined; sloppy decoders keep them as C1 controls.
            return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)
        return data.decode("latin-1")


def documents(n_bytes: int, seed: int = SEED) -> Iterator[str]:
    """Documents until about `n_bytes` of JSONL have been produced."""
    gen = Generator(seed)
    total = 0
    while total < n_bytes:
        text = gen.document()
        total += len(text.encode("utf-8")) + 80  # record overhead, roughly
        yield text


def write(size: str, folder: Path | None = None) -> Path:
    folder = folder or DATA / size
    folder.mkdir(parents=True, exist_ok=True)
    jsonl_tmp, txt_tmp = folder / "corpus.jsonl.part", folder / "corpus.txt.part"
    count = 0
    with open(jsonl_tmp, "w", encoding="utf-8") as jf, open(txt_tmp, "w", encoding="utf-8") as tf:
        for i, text in enumerate(documents(SIZES[size])):
            record = {"id": f"bench-{i:07d}", "url": f"https://news.example.org/{i}", "text": text,
                      "meta": {"n": i, "lang": "en"}}  # fmt: skip
            jf.write(json.dumps(record, ensure_ascii=False) + "\n")
            tf.write(text if text.endswith("\n") else text + "\n")
            tf.write("\n")
            count = i + 1
    jsonl_tmp.replace(folder / "corpus.jsonl")
    txt_tmp.replace(folder / "corpus.txt")
    (folder / "docs").write_text(f"{count}\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--out", type=Path, default=None, help="Folder (default: bench/data/SIZE).")
    args = parser.parse_args()
    folder = write(args.size, args.out)
    print(f"wrote {folder}/corpus.jsonl and corpus.txt", file=sys.stderr)


if __name__ == "__main__":
    main()
