"""A gunicorn config file that profiles each worker with cProfile, every thread of it.

    gunicorn -c benchmarks/tfb/gunicorn_profile.py ... (set TFB_PROFILE_DIR)

Each worker profiles its main thread and every thread it starts (gthread's request
threads), timed by the wall clock (``TFB_PROFILE_TIMER=cpu``: each thread's CPU clock, much slower),
and writes ``<TFB_PROFILE_DIR>/worker-<pid>.prof`` when it exits.
"""
import cProfile
import os
import pstats
import threading
import time

_profiles = []
_lock = threading.Lock()


def _start_in_thread(*_args):
    # cProfile's own clock (wall time) is read in C; a CPU clock is a Python call per event,
    # which slows the worker several times and flattens the profile.
    cpu = os.environ.get("TFB_PROFILE_TIMER") == "cpu"
    profile = cProfile.Profile(time.thread_time) if cpu else cProfile.Profile()
    with _lock:
        _profiles.append(profile)
    profile.enable()  # replaces this bootstrap as the thread's profile function


def post_worker_init(worker):
    threading.setprofile(_start_in_thread)
    _start_in_thread()


def worker_exit(server, worker):
    with _lock:
        profiles = list(_profiles)
    for p in profiles:
        p.disable()
    stats = None
    for p in profiles:
        try:
            stats = pstats.Stats(p) if stats is None else stats.add(p) or stats
        except TypeError:  # a profile that recorded nothing
            continue
    if stats is not None:
        stats.dump_stats(os.path.join(os.environ["TFB_PROFILE_DIR"], f"worker-{os.getpid()}.prof"))
