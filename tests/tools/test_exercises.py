"""scripts/exercises tested itself: markers (good and malformed), a
learner's tree (no solution in it, stubs in place, a history of its own),
check's exit status, reset's backup, and verify catching an exercise whose
stub passes its tests or whose wrong solution does."""

import argparse
import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "exercises")


def load_tool():
    loader = importlib.machinery.SourceFileLoader("exercises_tool", SCRIPT)
    spec = importlib.util.spec_from_loader("exercises_tool", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


GOOD = textwrap.dedent("""\
    int answer() {
        // BEGIN EXERCISE stage1.demo
        return 42;
        // STUB
        // throw 0;
        // END EXERCISE stage1.demo
    }
    """)


class Fixture:
    """A tiny tree with one exercise, like the repository's layout."""

    def __init__(self, tool, source=GOOD):
        self.folder = tempfile.TemporaryDirectory()
        self.root = self.folder.name
        os.makedirs(os.path.join(self.root, "common"))
        os.makedirs(os.path.join(self.root, "exercises", "stage1.demo"))
        self.source = os.path.join(self.root, "common", "demo.cpp")
        with open(self.source, "w") as file:
            file.write(source)
        with open(os.path.join(self.root, "exercises", "stage1.demo", "exercise.json"), "w") as file:
            json.dump({"chapter": 1, "minutes": 5, "goal": "the answer", "targets": ["demo"]}, file)
        with open(os.path.join(self.root, "exercises", "stage1.demo", "hints.md"), "w") as file:
            file.write("## Hint 1\nIt is a number.\n\n## Hint 2\nForty-two.\n")
        for index, body in enumerate(["    return 41;", "    return 43;"], start=1):
            with open(os.path.join(self.root, "exercises", "stage1.demo", f"wrong-{index}.txt"), "w") as file:
                file.write(body + "\n")
        self.tool = tool
        tool.ROOT = self.root

    def text(self):
        with open(self.source) as file:
            return file.read()


class MarkerTests(unittest.TestCase):
    def setUp(self):
        self.tool = load_tool()

    def parse(self, text, known=("stage1.demo",)):
        with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as file:
            file.write(text)
        try:
            return self.tool.parse_file(file.name, set(known))
        finally:
            os.unlink(file.name)

    def test_a_good_region(self):
        (region,) = self.parse(GOOD)
        self.assertEqual(region.name, "stage1.demo")
        self.assertEqual(region.active, ["    return 42;"])
        self.assertEqual(region.stub_code, ["    throw 0;"])

    def test_malformed_markers_are_named(self):
        cases = {
            "no STUB": GOOD.replace("    // STUB\n    // throw 0;\n", ""),
            "STUB outside an exercise": GOOD.replace("    // BEGIN EXERCISE stage1.demo\n", ""),
            "without its BEGIN": "\n".join(line for line in GOOD.split("\n") if "BEGIN" not in line and "STUB" not in line),
            "closes the exercise": GOOD.replace("END EXERCISE stage1.demo", "END EXERCISE stage1.other"),
            "has no END": GOOD.replace("    // END EXERCISE stage1.demo\n", ""),
            "must be a comment": GOOD.replace("    // throw 0;", "    throw 0;"),
            "BEGIN inside": GOOD.replace("    return 42;", "    // BEGIN EXERCISE stage1.demo"),
            "not an exercise name": GOOD.replace("stage1.demo", "demo"),
        }
        for expected, text in cases.items():
            with self.subTest(expected):
                with self.assertRaises(self.tool.MarkerError) as raised:
                    self.parse(text)
                self.assertIn(expected, str(raised.exception))

    def test_an_unknown_exercise_name(self):
        with self.assertRaises(self.tool.MarkerError) as raised:
            self.parse(GOOD, known=())
        self.assertIn("unknown exercise", str(raised.exception))


class CommandTests(unittest.TestCase):
    def setUp(self):
        self.tool = load_tool()
        self.fixture = Fixture(self.tool)

    def run_command(self, function, **arguments):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = function(argparse.Namespace(**arguments))
        return code, out.getvalue() + err.getvalue()

    def test_reset_refuses_to_run_where_the_solutions_are(self):
        code, output = self.run_command(self.tool.command_reset, name="stage1.demo", all=False)
        self.assertEqual(code, 2)
        self.assertIn("learner's tree", output)
        self.assertNotIn("    throw 0;\n    // STUB", self.fixture.text())

    def test_reset_puts_the_stub_back_and_keeps_the_attempt(self):
        open(os.path.join(self.fixture.root, self.tool.LEARNER_MARK), "w").close()
        code, output = self.run_command(self.tool.command_reset, name="stage1.demo", all=False)
        self.assertEqual(code, 0)
        self.assertIn("    throw 0;\n    // STUB", self.fixture.text())
        backups = [f for f in os.listdir(os.path.join(self.fixture.root, "exercises", "stage1.demo"))
                   if f.startswith("attempt-")]
        self.assertEqual(len(backups), 1)
        self.assertIn(backups[0], output)

    def test_hints_come_one_at_a_time(self):
        code, output = self.run_command(self.tool.command_hint, name="stage1.demo", k=1)
        self.assertEqual(code, 0)
        self.assertIn("It is a number.", output)
        self.assertNotIn("Forty-two", output)
        self.assertIn("hint stage1.demo 2", output)
        code, _ = self.run_command(self.tool.command_hint, name="stage1.demo", k=3)
        self.assertEqual(code, 2)

    def test_check_says_pass_or_fail_with_its_exit_status(self):
        self.tool.build = lambda tree, targets: (0, "")
        for test_code, expected_exit, word in ((0, 0, "PASS"), (8, 1, "FAIL")):
            self.tool.run_tests = lambda tree, name, code=test_code: (code, "the transcript\n")
            code, output = self.run_command(self.tool.command_check, name="stage1.demo", all=False, json=False)
            self.assertEqual(code, expected_exit)
            self.assertIn(f"{word} stage1.demo", output)

    def verify_with(self, passes):
        """verify, with builds that always work and tests that pass when `passes(active)` says so."""
        tree = os.path.join(self.fixture.root, "learner")
        os.makedirs(os.path.join(tree, "build", "dev"))
        os.makedirs(os.path.join(tree, "common"))
        with open(os.path.join(tree, "common", "demo.cpp"), "w") as file:
            file.write(GOOD.replace("    return 42;", "    throw 0;"))
        self.tool.build = lambda tree, targets: (0, "")
        self.tool.write_learner_tree = lambda tree, stage: []  # the fixture's tree is written above

        def run_tests(tree_path, name):
            (region,) = self.tool.parse_file(os.path.join(tree_path, "common", "demo.cpp"))
            return (0 if passes(region.active) else 8), "transcript"

        self.tool.run_tests = run_tests
        return self.run_command(self.tool.command_verify, dir=tree)

    def test_verify_passes_when_only_the_solution_passes(self):
        code, output = self.verify_with(lambda active: active == ["    return 42;"])
        self.assertEqual(code, 0, output)

    def test_verify_catches_a_stub_that_passes(self):
        code, output = self.verify_with(lambda active: True)
        self.assertEqual(code, 1)
        self.assertIn("the stub passes its tests", output)

    def test_verify_catches_a_wrong_solution_that_passes(self):
        code, output = self.verify_with(lambda active: active != ["        throw 0;"] and active != ["    throw 0;"]
                                        and active != ["    return 43;"])
        self.assertEqual(code, 1)
        self.assertIn("wrong-1.txt passes its tests", output)


class StartTests(unittest.TestCase):
    def test_a_learners_tree_has_stubs_no_solutions_and_its_own_history(self):
        with tempfile.TemporaryDirectory() as folder:
            tree = os.path.join(folder, "tree")
            result = subprocess.run([sys.executable, SCRIPT, "start", tree, "--no-build"], capture_output=True,
                                    text=True)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            tool = load_tool()
            regions = tool.all_regions()  # the repository's own, with the solutions
            for name, region in regions.items():
                with open(os.path.join(tree, os.path.relpath(region.path, tool.ROOT))) as file:
                    text = file.read()
                solution = "\n".join(line for line in region.active if line.strip() and "//" not in line)
                self.assertNotIn(solution, text, name)
                self.assertIn("\n".join(region.stub_code), text, name)
            self.assertFalse([f for f in os.listdir(os.path.join(tree, "exercises", name)) if f.startswith("wrong-")])
            log = subprocess.run(["git", "log", "--oneline"], cwd=tree, capture_output=True, text=True).stdout
            self.assertEqual(len(log.splitlines()), 1)


if __name__ == "__main__":
    unittest.main()
