"""Opening REFI-QDA files from outside safely: the ZIP, its member names, and the XML.

Threat model: a ``.qdpx`` is a ZIP a stranger may have made. It may be a zip bomb (a small file
that expands to gigabytes), name members that leave the archive (``../../etc/passwd``, ``/x``),
or carry XML that expands entities (billion laughs) or fetches files or URLs (XXE). So: the
declared sizes and ratios are checked before anything is read, and the bytes are counted again
while reading (a forged header cannot lie past the limit); every member name is checked; XML is
parsed by lxml with entities, DTDs and the network switched off, and any DOCTYPE or ENTITY
declaration is refused outright.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree

from imheval.errors import Problem, RefiError

#: The most a whole archive may expand to.
MAX_TOTAL_BYTES = 200 * 1024 * 1024
#: The most one member may expand to, relative to its compressed size (members over 1 MB only).
MAX_RATIO = 200
#: Members smaller than this are not held to the ratio (tiny text files compress very well).
RATIO_FLOOR_BYTES = 1024 * 1024
#: The most members an archive may hold.
MAX_MEMBERS = 10_000

_CHUNK = 64 * 1024
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def xml_parser() -> Any:
    """lxml's parser, configured against entity expansion, DTDs, the network and huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, file: str) -> Any:
    """The root element of ``data``; RefiError naming ``file`` for declarations or bad XML."""
    declared = RefiError(
        [
            Problem(
                file,
                "has a DOCTYPE or ENTITY declaration, which REFI-QDA files never need "
                "(refused, so that no entity can be expanded)",
            )
        ]
    )
    if _DECLARATION.search(data):
        raise declared
    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError as error:
        raise RefiError([Problem(file, f"is not well-formed XML ({error})")]) from None
    # Again after parsing, for encodings the byte search cannot see (UTF-16).
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise declared
    return root


def _bad_member_name(name: str) -> str | None:
    """Why ``name`` may not be extracted, or None when it stays inside the archive."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        return "leaves the archive ('..')"
    if "\x00" in name:
        return "has a NUL character in its name"
    return None


@dataclass
class SafeArchive:
    """A checked ZIP: member names vetted, sizes limited; members read with byte counting."""

    zip: zipfile.ZipFile
    file: str
    budget: int = MAX_TOTAL_BYTES

    @classmethod
    def open(cls, source: str | IO[bytes], file: str) -> SafeArchive:
        """Open and check ``source``; RefiError listing every bad member, or a non-ZIP."""
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise RefiError([Problem(file, f"is not a ZIP archive (.qdpx) ({error})")]) from None
        problems: list[Problem] = []
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            problems.append(
                Problem(file, f"has {len(infos):,} members; at most {MAX_MEMBERS:,} are read")
            )
        total = 0
        for info in infos:
            why = _bad_member_name(info.filename)
            if why is not None:
                problems.append(Problem(file, f"member '{info.filename}' {why}; refused"))
            total += info.file_size
            if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                problems.append(
                    Problem(
                        file,
                        f"member '{info.filename}' expands {info.file_size:,} bytes from "
                        f"{info.compress_size:,} (more than {MAX_RATIO} times): a zip bomb?",
                    )
                )
        if total > MAX_TOTAL_BYTES:
            problems.append(
                Problem(
                    file,
                    f"expands to {total:,} bytes; at most {MAX_TOTAL_BYTES:,} are read",
                )
            )
        if problems:
            archive.close()
            raise RefiError(problems)
        return cls(archive, file)

    def names(self) -> list[str]:
        """Every member name, as written in the archive."""
        return self.zip.namelist()

    def read(self, name: str) -> bytes:
        """Member ``name``'s bytes, counted while reading against its header and the budget."""
        info = self.zip.getinfo(name)
        limit = min(info.file_size, self.budget)
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as member:
                while True:
                    chunk = member.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise RefiError(
                            [
                                Problem(
                                    self.file,
                                    f"member '{name}' expands past its declared size or the "
                                    f"archive's limit of {MAX_TOTAL_BYTES:,} bytes; refused",
                                )
                            ]
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            # RuntimeError: an encrypted member (zipfile asks for a password).
            raise RefiError(
                [Problem(self.file, f"member '{name}' cannot be read ({error})")]
            ) from None
        self.budget -= size
        return b"".join(chunks)

    def close(self) -> None:
        """Close the ZIP."""
        self.zip.close()


# -- reading elements (namespaces stripped) ----------------------------------------------


def local_name(element: Any) -> str:
    name: str = etree.QName(element).localname
    return name


def strip_namespaces(root: Any) -> None:
    """Drop namespaces from tag names, so the same code reads files with and without them."""
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = local_name(element)


def children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if child.tag == name)


def child(element: Any, name: str) -> Any | None:
    return next(children(element, name), None)


def text_of(element: Any, name: str) -> str:
    found = child(element, name)
    return (found.text or "") if found is not None else ""
