"""Runs the commands the documentation shows and compares the output it shows.

Usage: docs_commands.py BUILDDIR SRCDIR WORKDIR FILE.md...

A command is a line of a ```sh block whose first word is a Partita program, mpiexec,
mpirun or partita-plot (tools/partita-plot). Each file's commands run in order, in one
working directory of their own that holds `input` (the shipped decks) and `tools`, with
the build's programs first on PATH, as a user in the source tree would run them; each
must exit 0, unless an output block below it shows error messages, when it must exit 1.
A plain ``` block right after an ```sh block shows their output: each of its lines
must be a line of what those commands printed (free space, which differs from machine
to machine, is compared as "N GiB free").

Lines of ```sh blocks that are not run, and why, are in SKIP below; any other first
word is an error, so a new kind of command cannot slip through unchecked.

docs/errors.md lists messages rather than commands: each must be one the test suite
expects (its literal text, placeholders such as FILE and KEY aside, occurs in a test)."""
import os
import re
import subprocess
import sys

RUN = {"mpiexec", "mpirun", "partita-heat", "partita-nbody", "partita-commbench", "partita-grayscott",
       "partita-plot", "tools/partita-plot"}
SKIP = {
    "./quickstart": "it is what CI itself runs (.ci/run is ./quickstart test)",
    "./bootstrap": "the build steps run in every CI build (quickstart runs them)",
    "mkdir": "a build step (see ./bootstrap)",
    "../configure": "configure runs in every CI build; its options are tested by the build",
    "make": "a build step; make check is the suite running this test",
    "module": "site environment modules, not on a test machine",
    "cp": "a step of submitting to a site's Slurm (below)",
    "sbatch": "names a site's account and partition; tests/slurm/ submits every job script "
              "to a real Slurm",
    "mpicc": "builds a user's own program; tests/apps/pkgconfig.sh builds one with exactly "
             "these flags",
    "bench/run-all": "benchmarks measure, they are not tests (make bench)",
    "bench/scaling": "benchmarks measure, they are not tests (make bench)",
    "bench/cluster-network": "benchmarks measure, they are not tests (it needs root and minutes)",
    "bench/roofline": "benchmarks measure, they are not tests (make bench)",
    "bench/compare": "compares two benchmark result directories; tests/apps/bench-compare.sh "
                     "tests it on fixed results",
}


def blocks(path):
    """Each fenced block as (kind, first line number, lines, follows): kind 'sh', 'text' or
    another language; follows is true when only blank lines separate it from the block
    before."""
    out, cur, prose = [], None, True
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            fence = re.match(r"^```\s*(\w*)\s*$", line)
            if cur is None and fence:
                cur = (fence.group(1) or "text", n + 1, [], not prose)
            elif cur is not None and line.startswith("```"):
                out.append(cur)
                cur, prose = None, False
            elif cur is not None:
                cur[2].append(line)
            elif line.strip():
                prose = True
    return out


# Words in docs/errors.md that stand for a value (a file, a line, a key...).
PLACEHOLDERS = r"\b(PROG|WHERE|KEY|PROBLEM|FILE|LINE|DIR|PATH|DATASET|RECORD|KIND|SECTION|OTHER|R|N|X|Y)\b|\.\.\."
# What the bad-input matrix checks apart from the text: the program name in front, and
# for runtime failures the rank and source line.
PREFIX = r"^(PROG|partita-heat|partita-nbody|partita-commbench|partita-grayscott): (\[rank \w+\] [\w.]+:LINE: )?"


def message_fragments(msg):
    """The parts of a documented message that are literal text (12 characters or more)."""
    parts = [p.strip(" .,:'()/") for p in re.split(PLACEHOLDERS, re.sub(PREFIX, "", msg)) if p]
    return [p for p in parts if len(p) >= 12]


def check_messages(errors_md, tests_dir):
    """Every message docs/errors.md shows is one a test expects: its literal parts occur
    in the expectations of the test suite (the bad-input matrix and the unit tests)."""
    expected = []
    for root, _, files in os.walk(tests_dir):
        for f in files:
            if f.endswith((".sh", ".cc", ".py", ".c")):
                with open(os.path.join(root, f), errors="replace") as fh:
                    expected.append(fh.read())
    expected = "\n".join(expected)
    failures, n = [], 0
    with open(errors_md) as fh:
        for k, row in enumerate(fh, 1):
            cells = row.split("|")
            if not row.startswith("|") or len(cells) < 3:
                continue
            for msg in re.findall(r"`([^`]*: [^`]*)`", cells[-2]):
                n += 1
                for frag in message_fragments(msg):
                    if frag not in expected:
                        failures.append("docs/errors.md:%d: no test expects '%s' (of `%s`)" % (k, frag, msg))
    return n, failures


def normalise(line):
    return re.sub(r"[0-9.]+ GiB free", "N GiB free", line.strip())


def main():
    build, src, work = sys.argv[1:4]
    env = dict(os.environ)
    bins = [os.path.join(build, "apps", a) for a in ("heat", "nbody", "commbench", "grayscott")]
    env["PATH"] = os.pathsep.join(bins + [os.path.join(src, "tools"), env["PATH"]])
    failures, ran, compared = [], 0, 0
    for md in sys.argv[4:]:
        name = os.path.relpath(md, src)
        wd = os.path.join(work, name.replace("/", "_"))
        os.makedirs(wd, exist_ok=True)
        for link in ("input", "tools"):
            os.symlink(os.path.join(src, link), os.path.join(wd, link))
        seq = blocks(md)
        for i, b in enumerate(seq):
            if b[0] != "sh":
                continue
            _, first, lines, _ = b
            nxt = seq[i + 1] if i + 1 < len(seq) else None
            shown = nxt if nxt is not None and nxt[0] == "text" and nxt[3] else None
            expect_error = shown is not None and all(l.startswith("partita-") and ": " in l
                                                     for l in shown[2] if l.strip())
            printed = []
            # Lines continued with a backslash are one command.
            joined, k0 = [], 0
            for k, line in enumerate(lines):
                if joined and joined[-1][1].endswith("\\"):
                    joined[-1] = (joined[-1][0], joined[-1][1][:-1] + " " + line.strip())
                else:
                    joined.append((k, line))
            for k, line in joined:
                cmd = line.split(" #")[0].strip() if not line.lstrip().startswith("#") else ""
                if not cmd:
                    continue
                word = cmd.split()[0]
                where = "%s:%d" % (name, first + k)
                if word in SKIP:
                    continue
                if word not in RUN:
                    failures.append("%s: '%s' is neither run nor skipped (with a reason) by this test" % (where, word))
                    continue
                try:
                    r = subprocess.run(["bash", "-c", cmd], cwd=wd, env=env, capture_output=True, text=True,
                                       timeout=180)
                except subprocess.TimeoutExpired:
                    failures.append("%s: `%s` ran past 180 s" % (where, cmd))
                    continue
                ran += 1
                printed += (r.stdout + r.stderr).splitlines()
                want = 1 if expect_error else 0
                if r.returncode != want:
                    tail = "\n    ".join((r.stdout + r.stderr).strip().splitlines()[-5:])
                    failures.append("%s: `%s` exited %d, expected %d:\n    %s" % (where, cmd, r.returncode, want, tail))
            if shown is not None:
                got = {normalise(l) for l in printed}
                for k, line in enumerate(shown[2]):
                    if not line.strip():
                        continue
                    compared += 1
                    if normalise(line) not in got:
                        failures.append("%s:%d: shown output line not printed by the commands above:\n    %s"
                                        % (name, shown[1] + k, line))
    n_msg, bad = check_messages(os.path.join(src, "docs", "errors.md"), os.path.join(src, "tests"))
    failures += bad
    for f in failures:
        print("FAIL: " + f)
    print("%d commands run, %d output lines compared, %d messages of docs/errors.md expected by tests, "
          "%d failures" % (ran, compared, n_msg, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
