"""What Spark is running now, for progress bars: the tasks of the active stages."""

from __future__ import annotations

from pyspark.sql import SparkSession


def stage_status(session: SparkSession) -> tuple[int, int, str] | None:
    """Tasks done and in all over the stages running now, and which stages they are.

    ``None`` when no stage runs, or on Spark Connect, whose client has no status tracker.
    """
    try:
        tracker = session.sparkContext.statusTracker()
    except Exception:  # Spark Connect: no SparkContext on the client
        return None
    infos = [tracker.getStageInfo(stage) for stage in sorted(tracker.getActiveStageIds())]
    running = [info for info in infos if info is not None]
    if not running:
        return None
    done = sum(info.numCompletedTasks for info in running)
    total = sum(info.numTasks for info in running)
    names = ", ".join(str(info.stageId) for info in running[:3])
    more = f" and {len(running) - 3} more" if len(running) > 3 else ""
    return done, total, f"Spark stage{'s' * (len(running) > 1)} {names}{more}"
