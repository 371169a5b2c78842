"""The jobs' metrics. Made here, unregistered: the API's /metrics registry takes them in
(api/observability.py), so jobs need nothing of the API."""

from prometheus_client import Counter, Histogram

JOB_RUNS = Counter(
    "crm_job_runs_total",
    "Scheduled job runs by outcome: ran (this process "
    "won the due time), skipped (another run had it), failed.",
    ["job", "outcome"],
    registry=None,
)
JOB_FAILURES = Counter("crm_job_failures_total", "Failed job runs.", ["job"], registry=None)
JOB_DURATION = Histogram(
    "crm_job_duration_seconds",
    "Duration of job runs this process ran.",
    ["job"],
    registry=None,
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800),
)


def job_finished(job: str, outcome: str, seconds: float | None = None) -> None:
    JOB_RUNS.labels(job, outcome).inc()
    if outcome == "failed":
        JOB_FAILURES.labels(job).inc()
    if seconds is not None and outcome == "ran":
        JOB_DURATION.labels(job).observe(seconds)
