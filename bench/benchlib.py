"""Shared plumbing of the bench/ drivers: where things are, how to launch MPI, JSON in and
out, figures for the summary, and the results directory. Imported by the scripts next to
it (run-all, commbench, heat-bench, roofline, scaling, compare)."""
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys

SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def builddir():
    """The build tree: $top_builddir (set by `make bench`), else ./build of the source
    tree (./quickstart build), else the current directory."""
    b = os.environ.get("top_builddir")
    if b:
        return os.path.abspath(b)
    if os.path.isfile(os.path.join(SRCDIR, "build", "Makefile")):
        return os.path.join(SRCDIR, "build")
    return os.getcwd()


def binary(rel):
    """Path of a built program (e.g. 'apps/heat/partita-heat'), or None if absent."""
    p = os.path.join(builddir(), rel)
    return p if os.access(p, os.X_OK) else None


def ncores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def mpi_env(threads=1):
    """The environment the test suite and ./quickstart use for Open MPI on one node."""
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    # Single-copy off doubles two-sided bandwidth on this kind of host (docs/performance.md);
    # osc/rdma cannot create windows without it.
    env.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    env.setdefault("OMPI_MCA_osc", "^rdma,ucx")
    # ompio's write data sieving loses bytes of collective writes (docs/io-format.md).
    env.setdefault("OMPI_MCA_fbtl_posix_write_datasieving", "0")
    # hwloc's OpenCL plugin would load LLVM into mpiexec, which takes over SIGUSR1.
    hw = env.get("HWLOC_COMPONENTS", "")
    if "-opencl" not in hw.split(","):
        env["HWLOC_COMPONENTS"] = hw + ("," if hw else "") + "-opencl"
    env["OMP_NUM_THREADS"] = str(threads)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.setdefault("OMP_PROC_BIND", "false")
    return env


def mpirun(np, argv, threads=1, timeout=600, log=None, bind=True):
    """Runs argv on np ranks with `threads` OpenMP threads each. Ranks are bound to cores
    only when each has one thread, they fit the cores and `bind` holds. Raises on
    failure, with the output; returns the output."""
    cmd = [os.environ.get("MPIEXEC", "mpiexec"), "--timeout", str(timeout), "-n", str(np)]
    if not bind or threads > 1 or np * threads > ncores():
        cmd += ["--bind-to", "none"]
    cmd += [str(a) for a in argv]
    say("$ " + " ".join(["OMP_NUM_THREADS=%d" % threads] + cmd[3:]))
    p = subprocess.run(cmd, env=mpi_env(threads), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout + 60)
    if log:
        with open(log, "a") as f:
            f.write("$ " + " ".join(cmd) + "\n" + p.stdout + "\n")
    if p.returncode != 0:
        raise RuntimeError("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode, p.stdout[-4000:]))
    return p.stdout


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def say(msg):
    print(msg, flush=True)


def results_dir(out=None):
    """bench/results/<date>/ of the source tree if writable, else of the build tree; a
    second run on the same day gets <date>-HHMMSS."""
    if out:
        os.makedirs(out, exist_ok=True)
        return os.path.abspath(out)
    root = os.path.join(SRCDIR, "bench", "results")
    try:
        os.makedirs(root, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise PermissionError(root)
    except OSError:
        root = os.path.join(builddir(), "bench", "results")
        os.makedirs(root, exist_ok=True)
    now = datetime.datetime.now()
    d = os.path.join(root, now.strftime("%Y-%m-%d"))
    if os.path.exists(d):
        d += now.strftime("-%H%M%S")
    os.makedirs(d)
    return d


def machine():
    """What the figures were measured on, and how busy it was."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"host": platform.node(), "cpu": cpu, "cores": ncores(),
            "load_average": list(os.getloadavg()), "python": sys.version.split()[0],
            "date": datetime.datetime.now().isoformat(timespec="seconds")}


def figure(name, value, unit, better, what, target=None, target_op=None):
    """One figure of the summary: `better` is 'higher' or 'lower' (bench/compare uses it);
    `target` with `target_op` ('>=' or '<=') is the goal it is judged against."""
    f = {"name": name, "value": value, "unit": unit, "better": better, "what": what}
    if target is not None:
        f["target"] = target
        f["target_op"] = target_op
        f["met"] = bool(value >= target if target_op == ">=" else value <= target)
    return f


def figures_table(figs):
    """Markdown table of figures."""
    rows = ["| figure | value | target | |", "|---|---|---|---|"]
    for f in figs:
        v = f["value"]
        val = ("%.4g" % v if isinstance(v, float) else str(v)) + (" " + f["unit"] if f["unit"] else "")
        tgt = "%s %g" % (f["target_op"], f["target"]) if "target" in f else ""
        ok = ("met" if f["met"] else "**missed**") if "target" in f else ""
        rows.append("| %s | %s | %s | %s |" % (f["what"], val, tgt, ok))
    return "\n".join(rows)


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def netpipe():
    """Debian's NetPIPE MPI binary (netpipe-openmpi installs NPopenmpi; other builds
    call it NPmpi), or None."""
    for name in ("NPmpi", "NPopenmpi"):
        p = shutil.which(name)
        if p:
            return p
    return None
