#!/usr/bin/env python3
"""scripts/check_layers.py on small trees written to a temporary directory: a
clean tree passes with its summary, a tree with each kind of offence fails with
exactly one `path:line: ...` line per offence, a broken list is refused, and
the real docs/architecture.md list is the one enforced.

    tests/layers/check_layers_test.py [CheckLayersTest.test_name ...]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "scripts", "check_layers.py")

LIST = """\
# Fixture

Prose before the list, with a table that is not the list:

| folder | may include |
| --- | --- |
| `cli/` | nothing |

<!-- layers:begin -->
| folder | holds | may include |
| --- | --- | --- |
| `base/` | value types, with a \\| in a cell | (nothing) |
| `model/` | plain data | base |
| `dsl/` | the language; `dsl/internal/` | base, model |
| `engine/` | evaluator | base, model, dsl |
| `engine/customer/` | pure functions | base, model |
| `absent/` | not written yet | base |
| `cli/` | wiring | everything above |
| `tests/` | tests | anything |
<!-- layers:end -->
"""

# A tree that follows LIST. Includes in comments, raw strings and after a
# digit separator must not count; quoted third-party includes are ignored.
CLEAN = {
    "docs/architecture.md": LIST,
    "base/CMakeLists.txt": "patron_module(patron_base)\n",
    "base/status.hpp": "#pragma once\nstruct Status {};\n",
    "base/status.cpp": """\
        #include "base/status.hpp"
        #include <vector>
        #include "date/tz.h"
        // #include "engine/evaluator.hpp"
        /* a comment
        #include "cli/wiring.hpp"
        */
        constexpr long kMillion = 1'000'000;
        constexpr long kThousand = 1'000;  /* that's a digit separator, so
        #include "cli/wiring.hpp" is in a comment */
        const char* kSlashes = "/*";
        const char* kRaw = R"x(
        #include "cli/wiring.hpp"
        )x";
        const char* kAfter = "*/";
        """,
    "model/CMakeLists.txt": "# data\npatron_module(patron_model DEPS patron_base Boost::json)\n",
    "model/event.hpp": '#pragma once\n#include "base/status.hpp"\n',
    "dsl/CMakeLists.txt": """\
        patron_module(patron_dsl
                      DEPS patron_base  # status
                           patron_model Boost::boost)
        patron_fuzzer(dsl_parse_fuzz patron_dsl parse_fuzz.cpp)
        """,
    "dsl/parse.hpp": '#pragma once\n#include "model/event.hpp"\n',
    "dsl/parse.cpp": '#include "dsl/parse.hpp"\n#include "dsl/internal/grammar.hpp"\n',
    "dsl/internal/grammar.hpp": '#pragma once\n#include "base/status.hpp"\n',
    "engine/CMakeLists.txt": "patron_module(patron_engine DEPS patron_base patron_model patron_dsl\n"
                             "              spdlog::spdlog)\n",
    "engine/evaluator.hpp": '#pragma once\n#include "dsl/parse.hpp"\n#include "engine/customer/consent.hpp"\n',
    "engine/evaluator.cpp": '#include "engine/evaluator.hpp"\n#include "base/status.hpp"\n',
    "engine/compile/compiler.cpp": '#include "engine/evaluator.hpp"\n',
    "engine/customer/consent.hpp": '#pragma once\n#include "model/event.hpp"\n',
    "engine/customer/merge.cpp": '#include "engine/customer/consent.hpp"\n#include "base/status.hpp"\n',
    "cli/CMakeLists.txt": """\
        patron_module(patron_cli DEPS patron_engine patron_dsl
                      patron_base Threads::Threads)
        add_executable(patron main.cpp)
        target_link_libraries(patron PRIVATE patron_cli)
        target_link_libraries(patron_cli PRIVATE Threads::Threads)
        """,
    "cli/wiring.hpp": '#pragma once\n#include "engine/evaluator.hpp"\n#include "dsl/parse.hpp"\n',
    "cli/main.cpp": '#include "cli/wiring.hpp"\n#include "base/status.hpp"\n',
    "tests/CMakeLists.txt": "add_executable(engine_tests engine/evaluator_test.cpp)\n",
    "tests/engine/evaluator_test.cpp": """\
        #include "cli/wiring.hpp"
        #include "dsl/internal/grammar.hpp"
        #include "tests/support/harness.hpp"
        """,
    "tests/support/harness.hpp": "#pragma once\n",
}

# Each offence CLEAN does not have, added on top of it, and the line it prints.
BAD = {
    # An include upwards.
    "model/event.hpp": '#pragma once\n#include "base/status.hpp"\n#include "engine/evaluator.hpp"\n',
    # Another folder's internal/ (dsl/ itself may: dsl/parse.cpp in CLEAN).
    "engine/compile/compiler.cpp": '#include "engine/evaluator.hpp"\n#include "dsl/internal/grammar.hpp"\n',
    # A subfolder row narrows its folder.
    "engine/customer/merge.cpp": '#include "engine/customer/consent.hpp"\n#include "engine/evaluator.hpp"\n',
    # A folder listed but not written yet may still only be included from above it.
    "model/absent_user.hpp": '#pragma once\n#include "absent/later.hpp"\n',
    # Relative to the file, not to the root.
    "dsl/relative.cpp": '#include "dsl/parse.hpp"\n#include "internal/grammar.hpp"\n',
    # A stale include.
    "engine/stale.cpp": '#include "base/status.hpp"\n#include "model/gone.hpp"\n',
    # A cycle between two headers of one folder.
    "base/a.hpp": '#pragma once\n#include "base/b.hpp"\n',
    "base/b.hpp": '#pragma once\n#include "base/status.hpp"\n#include "base/a.hpp"\n',
    # DEPS: cli/ includes model/ without linking it; dsl/ links engine/ without including it.
    "cli/inspect.cpp": '#include "cli/wiring.hpp"\n#include "model/event.hpp"\n',
    "dsl/CMakeLists.txt": "patron_module(patron_dsl DEPS patron_base patron_model\n  patron_engine)\n",
    # A link outside DEPS, and a library that is no folder of the list.
    "engine/CMakeLists.txt": """\
        patron_module(patron_engine DEPS patron_base patron_model patron_dsl patron_json)
        target_link_libraries(patron_engine PRIVATE patron_cli)
        """,
    # A library in a folder the list does not know.
    "extra/CMakeLists.txt": "# new\npatron_module(patron_extra DEPS patron_base)\n",
}

BAD_OUTPUT = [
    "base/b.hpp:3: include cycle: base/a.hpp -> base/b.hpp -> base/a.hpp",
    "cli/CMakeLists.txt:1: patron_cli does not link patron_model, but cli/inspect.cpp:2 includes model/event.hpp",
    "dsl/CMakeLists.txt:2: patron_dsl links patron_engine, but no file of dsl/ includes engine/",
    'dsl/relative.cpp:2: "internal/grammar.hpp" is relative to its file: includes start at the repository root '
    '("dsl/internal/grammar.hpp")',
    "engine/CMakeLists.txt:1: patron_engine links patron_json, which is no folder of the layer list",
    "engine/CMakeLists.txt:2: patron_engine links patron_cli, but no file of engine/ includes cli/",
    "engine/compile/compiler.cpp:2: engine/ may not include dsl/internal/grammar.hpp "
    "(dsl/internal/ is private to dsl/)",
    "engine/customer/merge.cpp:2: engine/customer/ may not include engine/evaluator.hpp (allowed: base, model)",
    "engine/stale.cpp:2: model/gone.hpp does not exist",
    "extra/CMakeLists.txt:2: patron_extra is a library, but extra/ is not in the layer list",
    "model/absent_user.hpp:2: model/ may not include absent/later.hpp (allowed: base)",
    "model/event.hpp:3: model/ may not include engine/evaluator.hpp (allowed: base)",
]


def write_tree(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))


def run_check(root, *args):
    done = subprocess.run([sys.executable, SCRIPT, root, *args], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout.splitlines(), done.stderr


class CheckLayersTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="check_layers_")
        self.addCleanup(shutil.rmtree, self.root)

    def test_clean_tree_passes_with_a_summary(self):
        write_tree(self.root, CLEAN)
        status, out, err = run_check(self.root)
        self.assertEqual((status, err), (0, ""), out)
        # 7 top folders listed, absent/ not written; 15 source files; 21
        # includes of listed folders (base/status.cpp's four in comments and
        # a raw string would be offences, date/tz.h is not a listed folder).
        self.assertEqual(out, ["layers: 7 folders in docs/architecture.md (6 present), 15 files, "
                               "21 project includes checked: ok"])

    def test_bad_tree_prints_each_offence_once(self):
        write_tree(self.root, {**CLEAN, **BAD})
        status, out, err = run_check(self.root)
        self.assertEqual(status, 1, err)
        self.assertEqual(out, BAD_OUTPUT)
        self.assertIn(f": {len(BAD_OUTPUT)} offences", err)

    def test_list_must_go_bottom_to_top(self):
        upwards = LIST.replace("| `model/` | plain data | base |", "| `model/` | plain data | base, dsl |")
        widening = LIST.replace("| pure functions | base, model |", "| pure functions | base, model, cli |")
        unknown = LIST.replace("| not written yet | base |", "| not written yet | base, nowhere |")
        for doc, expected in [
                (upwards, "docs/architecture.md:13: model/ may include dsl/, which is not below it (the table "
                          "lists layers bottom to top: an include upwards could close a cycle)"),
                (widening, "docs/architecture.md:16: engine/customer/ may include cli/, which is not below it "
                           "(the table lists layers bottom to top: an include upwards could close a cycle)"),
                (unknown, "docs/architecture.md:17: absent/ may include nowhere/, which is not in the list")]:
            with self.subTest(expected=expected):
                write_tree(self.root, {**CLEAN, "docs/architecture.md": doc})
                status, out, err = run_check(self.root)
                self.assertEqual((status, out), (1, [expected]), err)

    def test_subfolder_only_narrows_its_folder(self):
        doc = LIST.replace("| evaluator | base, model, dsl |", "| evaluator | base, dsl |")
        write_tree(self.root, {**CLEAN, "docs/architecture.md": doc,
                               "engine/CMakeLists.txt":
                                   "patron_module(patron_engine DEPS patron_base patron_dsl)\n",
                               "engine/evaluator.hpp": '#pragma once\n#include "dsl/parse.hpp"\n'})
        status, out, err = run_check(self.root)
        self.assertEqual((status, out), (1, [
            "docs/architecture.md:16: engine/customer/ may include model/, which engine/ may not "
            "(a subfolder only narrows its folder)",
            "engine/CMakeLists.txt:1: patron_engine does not link patron_model, but "
            "engine/customer/consent.hpp:2 includes model/event.hpp"]), err)

    def test_a_list_it_cannot_read_stops_the_check(self):
        no_end = LIST.replace("<!-- layers:end -->", "")
        no_column = LIST.replace("| folder | holds | may include |", "| folder | holds | uses |")
        split_cell = LIST.replace("with a \\| in a cell", "with a | in a cell")
        prose = LIST.replace("| `model/` | plain data | base |", "| `model/` | plain data | base |\nmodel is data")
        for doc, message in [(no_end, "needs one '<!-- layers:begin -->' line"),
                             (no_column, "needs a 'folder' and a 'may include' column"),
                             (split_cell, "docs/architecture.md:12: 4 cells, the header has 3"),
                             (prose, "docs/architecture.md:14: between the layer markers only table rows")]:
            with self.subTest(message=message):
                write_tree(self.root, {**CLEAN, "docs/architecture.md": doc})
                status, out, err = run_check(self.root)
                self.assertEqual((status, out), (2, []), err)
                self.assertIn(message, err)

    def test_missing_module_call(self):
        write_tree(self.root, {**CLEAN, "model/CMakeLists.txt": "add_library(patron_model event.cpp)\n",
                               "absent/x.hpp": '#pragma once\n#include "base/status.hpp"\n'})
        status, out, err = run_check(self.root)
        self.assertEqual((status, out), (1, [
            "absent/CMakeLists.txt: missing: absent/ is one library, patron_module(patron_absent DEPS ...)",
            "model/CMakeLists.txt: no patron_module(patron_model DEPS ...)"]), err)

    def test_the_real_list_is_enforced(self):
        # docs/architecture.md as it is, over a tree that breaks it where the
        # brief's table says it must fail, and keeps to it where it may.
        shutil.copytree(os.path.join(REPO, "docs"), os.path.join(self.root, "docs"))
        write_tree(self.root, {
            "base/CMakeLists.txt": "patron_module(patron_base)\n",
            "base/time.hpp": "#pragma once\n",
            "model/CMakeLists.txt": "patron_module(patron_model DEPS patron_base)\n",
            "model/event.hpp": '#pragma once\n#include "base/time.hpp"\n#include "dsl/ast.hpp"\n',
            "dsl/CMakeLists.txt": "patron_module(patron_dsl DEPS patron_model)\n",
            "dsl/ast.hpp": '#pragma once\n#include "model/event.hpp"\n',
            "dsl/internal/grammar.hpp": '#pragma once\n#include "dsl/ast.hpp"\n',
            "engine/CMakeLists.txt": "patron_module(patron_engine DEPS patron_model patron_dsl)\n",
            "engine/evaluator.hpp": '#pragma once\n#include "dsl/ast.hpp"\n#include "dsl/internal/grammar.hpp"\n',
            "engine/customer/consent.hpp": '#pragma once\n#include "model/event.hpp"\n#include "dsl/ast.hpp"\n',
            "stores/CMakeLists.txt": "patron_module(patron_stores DEPS patron_model patron_engine)\n",
            "stores/customer_json.cpp": '#include "engine/customer/consent.hpp"\n#include "model/event.hpp"\n',
            "transport/CMakeLists.txt": "patron_module(patron_transport DEPS patron_model)\n",
            "transport/intake.cpp": '#include "model/event.hpp"\n#include "engine/evaluator.hpp"\n',
        })
        status, out, err = run_check(self.root)
        self.assertEqual(status, 1, err)
        self.assertEqual(out, [
            "engine/customer/consent.hpp:3: engine/customer/ may not include dsl/ast.hpp (allowed: base, model)",
            "engine/evaluator.hpp:3: engine/ may not include dsl/internal/grammar.hpp "
            "(dsl/internal/ is private to dsl/)",
            "model/event.hpp:3: model/ may not include dsl/ast.hpp (allowed: base)",
            "transport/intake.cpp:2: transport/ may not include engine/evaluator.hpp (allowed: base, model)",
        ])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[1:]])
