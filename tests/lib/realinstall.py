"""Helpers for the root-only tests on a real installation (make setup into
a scratch home, with the real qmail users): the scratch tree, and ending
the svscan a test started without leaving a process or a zombie behind."""
import os, shutil, signal, subprocess, tempfile
from neoq import tap, wait_until


def scratch_tree(prefix):
    """base (mode 755), home = base/qmail, build = base/build; the build
    starts from the test run's objects (NEOQMAIL_SEED), so setup compiles
    only what the home changes."""
    base = tempfile.mkdtemp(prefix=prefix)
    os.chmod(base, 0o755)
    build = os.path.join(base, "build")
    seed = os.environ.get("NEOQMAIL_SEED")
    if seed and os.path.isdir(os.path.join(seed, "obj")):
        shutil.copytree(os.path.join(seed, "obj"), os.path.join(build, "obj"))
    return base, os.path.join(base, "qmail"), build


def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return f.read().split()
    except OSError:
        return []


def stop_svscan(svscan, svdir, home=None):
    """As a service is removed: hide each one from svscan (it skips dot
    names) so it is not started again, svc -dx it and its log, let svscan
    reap the supervise processes (a supervise orphaned by svscan's end
    stays a zombie where init does not reap), then end svscan (the Popen
    we started) and wait until nothing runs from home."""
    for sv in os.listdir(svdir):
        if sv.startswith("."):
            continue
        hidden = os.path.join(svdir, "." + sv)
        os.rename(os.path.join(svdir, sv), hidden)
        subprocess.run(["svc", "-dx", hidden, os.path.join(hidden, "log")])
    wait_until(lambda: not _children(svscan.pid), 30)
    os.kill(svscan.pid, signal.SIGTERM)
    svscan.wait()
    if home:
        wait_until(lambda: not subprocess.run(["pgrep", "-f", home + "/"],
                                              capture_output=True).stdout, 10)


def finish(base):
    """Remove the scratch tree, or keep it (and say where) when a test failed."""
    if not tap.failed:
        shutil.rmtree(base, ignore_errors=True)
    else:
        tap.diag("kept " + base)
