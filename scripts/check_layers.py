#!/usr/bin/env python3
"""Checks that Patron's includes and CMake links follow the layers of docs/architecture.md.

    scripts/check_layers.py [ROOT] [--doc docs/architecture.md]

The one list of layers is the table between `<!-- layers:begin -->` and
`<!-- layers:end -->` in docs/architecture.md: a `folder` column (`base/`,
`engine/customer/`) and a `may include` column (`base, model`, `(nothing)`,
`everything above`, `anything`), rows bottom to top. The other columns are
prose for readers. A row may name only folders listed above it, so the rule
"a folder includes only folders below it" cannot hold a cycle; a subfolder row
(`engine/customer/`) narrows what its top folder may include.

For every .hpp/.cpp/.h under a listed folder that exists (listed folders that
do not exist yet are fine), every `#include "..."` line outside comments and
raw strings is checked:
  - the included project folder (the first path component, a top folder of the
    list) must be the file's own folder or one its row may include; a file
    takes the row of its longest listed folder (engine/customer/x.hpp is
    engine/customer/, engine/compile/x.hpp is engine/);
  - a path under some `internal/` may be included only from files of the same
    top folder (rows that may include `anything`, tests/ and bench/, may);
  - includes start at the repository root: a quoted include that resolves only
    next to the including file (`"internal/grammar.hpp"`) is reported;
  - an include of a project folder that names no existing file is reported
    (Patron generates no headers; a stale include after a move fails here
    before it fails the build);
  - the project files' includes must not form a cycle.
Quoted includes whose first component is no listed folder are ignored
(third-party headers use <...>). `#if 0` blocks are not understood: their
includes are checked like any other.

For every listed top folder that exists and may not include `anything`, its
CMakeLists.txt must call `patron_module(patron_<folder> DEPS ...)` once, and
the patron_* libraries it links (DEPS, plus any
`target_link_libraries(patron_<folder> ...)`) must be exactly the listed
folders its files include (itself excluded; only includes the list allows
count). Every file of the folder counts, main.cpp and *_fuzz.cpp too (they
link the library). A patron_module() in a folder that is not in the list is
reported too.

Output: one `path:line: message` line per offence and exit status 1, or a
one-line summary and 0. Status 2: the check could not run (no root, no doc,
no or a malformed table between the markers).
"""

import argparse
import os
import posixpath
import re
import sys

SOURCE_SUFFIXES = (".hpp", ".cpp", ".h")
BEGIN_MARKER = "<!-- layers:begin"
END_MARKER = "<!-- layers:end"
NOTHING = {"(nothing)", "nothing", "none", "-", "\u2014"}
EVERYTHING_ABOVE = "everything above"
ANYTHING = "anything"


class CannotCheck(Exception):
    """The check cannot run: exit status 2."""


class Layer:
    def __init__(self, name, line, allowed, anything):
        self.name = name  # "engine" or "engine/customer", no trailing slash
        self.line = line  # its row's line in the doc
        self.allowed = allowed  # top folder names, in the doc's order
        self.anything = anything  # tests/, bench/: no rule at all

    @property
    def top(self):
        return self.name.split("/")[0]

    def allowed_text(self):
        return ", ".join(self.allowed) if self.allowed else "nothing"


# --- the list -----------------------------------------------------------------


def split_row(line):
    """The cells of a Markdown table row (an escaped \\| stays in its cell)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def folder_name(cell):
    """`engine/customer/` -> engine/customer; None when the cell is no folder."""
    name = cell.strip().strip("`").strip().rstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*", name):
        return None
    return name


def read_layers(root, doc):
    """Parses the doc's table. Returns (layers in order, offences in the list)."""
    path = os.path.join(root, doc)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise CannotCheck(f"{doc}: cannot read: {e.strerror}")
    begins = [i for i, l in enumerate(lines) if l.strip().startswith(BEGIN_MARKER)]
    ends = [i for i, l in enumerate(lines) if l.strip().startswith(END_MARKER)]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise CannotCheck(f"{doc}: needs one '{BEGIN_MARKER} -->' line, then one '{END_MARKER} -->' line "
                          f"(found {len(begins)} and {len(ends)})")
    rows = []
    for i in range(begins[0] + 1, ends[0]):
        text = lines[i].strip()
        if not text:
            continue
        if not text.startswith("|"):
            raise CannotCheck(f"{doc}:{i + 1}: between the layer markers only table rows may stand: {text!r}")
        rows.append((i + 1, split_row(text)))
    if len(rows) < 3:
        raise CannotCheck(f"{doc}:{begins[0] + 1}: the layer table needs a header, a separator and rows")
    header_line, header = rows[0]
    columns = [h.strip("`* ").lower() for h in header]
    if "folder" not in columns or "may include" not in columns:
        raise CannotCheck(f"{doc}:{header_line}: the layer table needs a 'folder' and a 'may include' column "
                          f"(found {', '.join(header)})")
    folder_col, include_col = columns.index("folder"), columns.index("may include")
    if not all(re.fullmatch(r":?-+:?", c) for c in rows[1][1]):
        raise CannotCheck(f"{doc}:{rows[1][0]}: the layer table's second row must be its separator (| --- |)")

    row_names = []
    for line, cells in rows[2:]:
        if len(cells) != len(header):
            raise CannotCheck(f"{doc}:{line}: {len(cells)} cells, the header has {len(header)} "
                              f"(write a '|' inside a cell as '\\|')")
        name = folder_name(cells[folder_col])
        if name is None:
            raise CannotCheck(f"{doc}:{line}: not a folder: {cells[folder_col]!r}")
        row_names.append(name)

    layers, offences = [], []
    for (line, cells), name in zip(rows[2:], row_names):
        if any(l.name == name for l in layers):
            offences.append((doc, line, f"{name}/ is listed twice"))
            continue
        above = [l.name for l in layers if "/" not in l.name and l.name != name.split("/")[0]]
        spec = cells[include_col].strip()
        words = spec.lower().strip("`").strip()
        anything = False
        if words in NOTHING:
            allowed = []
        elif words == EVERYTHING_ABOVE:
            allowed = above
        elif words == ANYTHING:
            allowed, anything = [], True
        else:
            allowed = []
            for item in spec.split(","):
                other = folder_name(item)
                if other is None or "/" in other:
                    raise CannotCheck(f"{doc}:{line}: 'may include' holds top folders, '(nothing)', "
                                      f"'{EVERYTHING_ABOVE}' or '{ANYTHING}': {spec!r}")
                if other in allowed:
                    continue
                if other not in above:
                    why = ("which is not below it (the table lists layers bottom to top: "
                           "an include upwards could close a cycle)" if other in row_names
                           else "which is not in the list")
                    offences.append((doc, line, f"{name}/ may include {other}/, {why}"))
                    continue
                allowed.append(other)
        layers.append(Layer(name, line, allowed, anything))

    by_name = {l.name: l for l in layers}
    for layer in layers:
        if "/" not in layer.name:
            continue
        parent = by_name.get(layer.top)
        if parent is None:
            offences.append((doc, layer.line, f"{layer.name}/ is listed, {layer.top}/ is not"))
        elif layer.anything and not parent.anything:
            offences.append((doc, layer.line, f"{layer.name}/ may include anything, {layer.top}/ may not"))
        elif not parent.anything:
            for other in layer.allowed:
                if other not in parent.allowed:
                    offences.append((doc, layer.line, f"{layer.name}/ may include {other}/, which {layer.top}/ "
                                     f"may not (a subfolder only narrows its folder)"))
    if not any("/" not in l.name for l in layers):
        raise CannotCheck(f"{doc}:{begins[0] + 1}: the layer table lists no folder")
    return layers, offences


# --- C++ sources ----------------------------------------------------------------

INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.M)
RAW_STRING_RE = re.compile(r'"([^()\\\s]{0,16})\(')


def blank(text):
    return re.sub(r"[^\n]", " ", text)


def code_only(text):
    """The text with comments and raw string contents blanked (line numbers kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(blank(text[i:j]))
            i = j
        elif c == '"' or c == "'":
            k = i
            while k > 0 and (text[k - 1].isalnum() or text[k - 1] in "_."):
                k -= 1
            word = text[k:i]
            if c == "'" and word[:1].isdigit():  # a digit separator: 1'000'000
                out.append(c)
                i += 1
                continue
            raw = RAW_STRING_RE.match(text, i) if c == '"' and word in ("R", "u8R", "uR", "UR", "LR") else None
            if raw:
                close = ")" + raw.group(1) + '"'
                j = text.find(close, raw.end())
                j = n if j < 0 else j + len(close)
                out.append('"' + blank(text[i + 1:j]))
                i = j
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def quoted_includes(text):
    code = code_only(text)
    for m in INCLUDE_RE.finditer(code):
        yield code.count("\n", 0, m.start()) + 1, m.group(1)


def source_files(root, folder):
    base = os.path.join(root, folder)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")


def layer_of(path, layers):
    best = None
    for layer in layers:
        if path.startswith(layer.name + "/") and (best is None or len(layer.name) > len(best.name)):
            best = layer
    return best


# --- CMake ----------------------------------------------------------------------


def cmake_calls(text, command):
    """(line of the call, [(token, line)]) for every `command(...)` in a CMakeLists text."""
    code = re.sub(r"#[^\n]*", lambda m: blank(m.group(0)), text)  # no quoted '#' in our CMakeLists
    for m in re.finditer(r"\b" + re.escape(command) + r"\s*\(", code):
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[j], 0)
            j += 1
        tokens = [(t.group(0), code.count("\n", 0, m.end() + t.start()) + 1)
                  for t in re.finditer(r"[^\s()]+", code[m.end():j - 1])]
        yield code.count("\n", 0, m.start()) + 1, tokens


def check_cmake(root, layer, layers, included, offences):
    """included: {top folder: (path, line, include)} of the folder's allowed includes."""
    rel = f"{layer.name}/CMakeLists.txt"
    try:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        offences.append((rel, 0, f"missing: {layer.name}/ is one library, "
                         f"patron_module(patron_{layer.name} DEPS ...)"))
        return
    target = f"patron_{layer.name}"
    calls = list(cmake_calls(text, "patron_module"))
    if not calls:
        offences.append((rel, 0, f"no patron_module({target} DEPS ...)"))
        return
    for line, _ in calls[1:]:
        offences.append((rel, line, f"a second patron_module(): {layer.name}/ is one library"))
    line, tokens = calls[0]
    if not tokens or tokens[0][0] != target:
        offences.append((rel, line, f"patron_module() names {tokens[0][0] if tokens else 'nothing'}, "
                         f"the library of {layer.name}/ is {target}"))
        return
    linked = {}  # library -> line
    deps = False
    for token, token_line in tokens[1:]:
        if token == "DEPS":
            deps = True
        elif deps and token.startswith("patron_"):
            linked.setdefault(token, token_line)
    for _, tokens in cmake_calls(text, "target_link_libraries"):
        if tokens and tokens[0][0] == target:
            for token, token_line in tokens[1:]:
                if token.startswith("patron_"):
                    linked.setdefault(token, token_line)
    tops = {l.name for l in layers if "/" not in l.name}
    for folder in sorted(included, key=lambda f: [l.name for l in layers].index(f)):
        if f"patron_{folder}" not in linked:
            path, inc_line, inc = included[folder]
            offences.append((rel, line, f"{target} does not link patron_{folder}, but {path}:{inc_line} "
                             f"includes {inc}"))
    for lib, lib_line in sorted(linked.items(), key=lambda kv: kv[1]):
        folder = lib[len("patron_"):]
        if folder == layer.name:
            offences.append((rel, lib_line, f"{target} links itself"))
        elif folder not in tops:
            offences.append((rel, lib_line, f"{target} links {lib}, which is no folder of the layer list"))
        elif folder not in included:
            offences.append((rel, lib_line, f"{target} links {lib}, but no file of {layer.name}/ includes "
                             f"{folder}/"))


def unlisted_modules(root, layers, offences):
    listed = {l.name for l in layers}
    for entry in sorted(os.listdir(root)):
        cmakelists = os.path.join(root, entry, "CMakeLists.txt")
        if entry.startswith(".") or entry in listed or not os.path.isfile(cmakelists):
            continue
        with open(cmakelists, encoding="utf-8") as f:
            for line, tokens in cmake_calls(f.read(), "patron_module"):
                name = tokens[0][0] if tokens else "patron_module()"
                offences.append((f"{entry}/CMakeLists.txt", line,
                                 f"{name} is a library, but {entry}/ is not in the layer list"))


# --- the check ------------------------------------------------------------------


def find_cycles(edges):
    """One (path, line, cycle) per back edge of a depth-first walk, in sorted order."""
    found, state = [], {}
    for start in sorted(edges):
        if start in state:
            continue
        stack, on_path = [(start, iter(edges.get(start, ())))], [start]
        state[start] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                on_path.pop()
                continue
            target, line = child
            if state.get(target) == "open":
                cycle = on_path[on_path.index(target):] + [target]
                found.append((node, line, cycle))
            elif target not in state:
                state[target] = "open"
                on_path.append(target)
                stack.append((target, iter(edges.get(target, ()))))
    return found


def check(root, doc):
    layers, offences = read_layers(root, doc)
    tops = [l for l in layers if "/" not in l.name]
    top_names = {l.name for l in tops}
    present = [l for l in tops if os.path.isdir(os.path.join(root, l.name))]
    files = [p for l in present for p in source_files(root, l.name)]
    file_set = set(files)
    edges = {}
    included = {l.name: {} for l in present}
    checked = 0
    for path in files:
        layer = layer_of(path, layers)
        own = layer.name
        try:
            with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as e:
            offences.append((path, 0, f"cannot read: {e.strerror}"))
            continue
        for line, inc in quoted_includes(text):
            target = posixpath.normpath(inc)
            first = target.split("/")[0]
            if first not in top_names:
                beside = posixpath.normpath(posixpath.join(posixpath.dirname(path), inc))
                if os.path.isfile(os.path.join(root, beside)):
                    offences.append((path, line, f'"{inc}" is relative to its file: includes start at the '
                                     f'repository root ("{beside}")'))
                continue
            checked += 1
            parts = target.split("/")
            if not (layer.anything or target.startswith(own + "/") or first in layer.allowed):
                offences.append((path, line, f"{own}/ may not include {inc} (allowed: {layer.allowed_text()})"))
                continue
            if "internal" in parts[:-1] and first != layer.top and not layer.anything:
                owner = "/".join(parts[:parts.index("internal")])
                offences.append((path, line, f"{own}/ may not include {inc} ({owner}/internal/ is private to "
                                 f"{first}/)"))
                continue
            if not os.path.isfile(os.path.join(root, target)):
                offences.append((path, line, f"{inc} does not exist"))
                continue
            if target in file_set:
                edges.setdefault(path, []).append((target, line))
            if first != layer.top and layer.top in included:
                included[layer.top].setdefault(first, (path, line, inc))
    for path, line, cycle in find_cycles(edges):
        offences.append((path, line, "include cycle: " + " -> ".join(cycle)))
    for layer in present:
        if not layer.anything and any(p.startswith(layer.name + "/") for p in files):
            check_cmake(root, layer, layers, included[layer.name], offences)
    unlisted_modules(root, layers, offences)
    summary = (f"layers: {len(tops)} folders in {doc} ({len(present)} present), {len(files)} files, "
               f"{checked} project includes checked")
    return offences, summary


def main(argv):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", nargs="?", default=here, help="the repository (default: this script's)")
    parser.add_argument("--doc", default="docs/architecture.md", help="the document holding the layer table, "
                        "relative to ROOT (default: %(default)s)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.root):
        print(f"check_layers: {args.root}: not a directory", file=sys.stderr)
        return 2
    try:
        offences, summary = check(os.path.abspath(args.root), args.doc)
    except CannotCheck as e:
        print(f"check_layers: {e}", file=sys.stderr)
        return 2
    for path, line, message in sorted(offences, key=lambda o: (o[0], o[1])):
        print(f"{path}:{line}: {message}" if line else f"{path}: {message}")
    if offences:
        print(f"{summary}: {len(offences)} offence{'s' if len(offences) > 1 else ''}", file=sys.stderr)
        return 1
    print(f"{summary}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
