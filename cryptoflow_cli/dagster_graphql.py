"""Talk to the Dagster webserver's GraphQL API: launch the first materialization and follow it."""

from __future__ import annotations

from typing import Any

import httpx

_LOCATIONS = """
query { workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError {
  __typename ... on RepositoryLocation { repositories { name jobs { name } } }
  ... on PythonError { message } } } } } }
"""

_LAUNCH = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on InvalidSubsetError { message } ... on RunConfigValidationInvalid { errors { message } } } }
"""

_RUN = """
query($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run {
  status assetSelectionCount
  stats { ... on RunStatsSnapshot { materializations stepsFailed } } } } }
"""

_LOGS = """
query($runId: ID!, $cursor: String) { logsForRun(runId: $runId, afterCursor: $cursor) {
  __typename ... on EventConnection { cursor events { ... on MessageEvent { message } } } } }
"""

TERMINAL_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}


class DagsterGraphQL:
    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url.rstrip('/')}/graphql"

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            self.url, json={"query": document, "variables": variables or {}}, timeout=30
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"Dagster GraphQL error: {body['errors']}")
        return dict(body["data"])

    def find_job(self, job_name: str) -> tuple[str, str]:
        """(location, repository) of `job_name`, or an error naming what failed to load."""
        entries = self.query(_LOCATIONS)["workspaceOrError"]["locationEntries"]
        for entry in entries:
            location = entry["locationOrLoadError"] or {}
            if location.get("__typename") == "PythonError":
                raise RuntimeError(f"code location {entry['name']} failed: {location['message']}")
            for repo in location.get("repositories", []):
                if any(job["name"] == job_name for job in repo["jobs"]):
                    return entry["name"], repo["name"]
        raise RuntimeError(f"job {job_name!r} not found in the Dagster workspace")

    def has_job(self, job_name: str) -> bool:
        """Whether the workspace has loaded `job_name` yet (false while the code server starts)."""
        try:
            self.find_job(job_name)
        except (RuntimeError, httpx.HTTPError):
            return False
        return True

    def launch(self, job_name: str) -> str:
        location, repository = self.find_job(job_name)
        params = {
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": repository,
                "jobName": job_name,
            },
            "runConfigData": {},
        }
        result = self.query(_LAUNCH, {"params": params})["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise RuntimeError(f"could not launch {job_name}: {result}")
        return str(result["run"]["runId"])

    def run(self, run_id: str) -> dict[str, Any]:
        return dict(self.query(_RUN, {"runId": run_id})["runOrError"])

    def log_messages(self, run_id: str, cursor: str | None) -> tuple[list[str], str | None]:
        """The run's log messages after `cursor`, and the cursor after them."""
        logs = self.query(_LOGS, {"runId": run_id, "cursor": cursor})["logsForRun"]
        if logs.get("__typename") != "EventConnection":
            return [], cursor
        messages = [event["message"] for event in logs["events"] if event.get("message")]
        return messages, logs.get("cursor") or cursor
