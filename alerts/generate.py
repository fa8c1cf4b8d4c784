#!/usr/bin/env python3
"""Writes the rules of this folder for your Prometheus, as a monitoring mixin is configured.

recording_rules.yml and alerting_rules.yml are written for the defaults below; this script writes
them for other settings, keeping every comment and the layout:

  --job-selector   the label matchers that find the exporter's scrape job in `up`
                   (default: job="exesdb_exporter"; only ExESDBExporterDown selects on `up`, every
                   other rule selects the exporter's own metric names)
  --cluster-label  a label that tells clusters apart (e.g. cluster): added to every `by (...)` and
                   `on (...)` that holds `job`, so that alerts and recorded series keep it
                   (default: none)
  --runbook-url    the runbook_url of each alert, {alert} standing for the alert's name in lower
                   case (default: docs/runbook.md#{alert}, relative to this repository)

    python3 alerts/generate.py --job-selector 'job="exesdb"' --cluster-label cluster \\
        --runbook-url 'https://git.example.com/exesdb_exporter/blob/main/docs/runbook.md#{alert}' OUT

writes OUT/recording_rules.yml and OUT/alerting_rules.yml (without OUT: prints them). With the
defaults it writes the files of this folder unchanged (a test checks that, and that other settings
pass promtool's check and the unit tests of tests/).
"""

import argparse
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
FILES = ("recording_rules.yml", "alerting_rules.yml")
DEFAULT_JOB_SELECTOR = 'job="exesdb_exporter"'
DEFAULT_RUNBOOK_URL = "docs/runbook.md#{alert}"

RUNBOOK = re.compile(r"^(\s*runbook_url: )docs/runbook\.md#([a-z0-9]+)$")
GROUPING = re.compile(r"\b(by|on) \(([^()]*)\)")


def with_cluster_label(line, label):
    """`by (job, ...)` and `on (job, ...)` keep `label` too."""
    def add(match):
        names = [name.strip() for name in match.group(2).split(",")]
        if "job" not in names or label in names:
            return match.group(0)
        return f"{match.group(1)} ({label}, {match.group(2)})"
    return GROUPING.sub(add, line)


def render(text, job_selector, cluster_label, runbook_url):
    lines = []
    for line in text.split("\n"):
        line = line.replace(DEFAULT_JOB_SELECTOR, job_selector)
        runbook = RUNBOOK.match(line)
        if runbook:
            line = runbook.group(1) + runbook_url.format(alert=runbook.group(2))
        elif cluster_label and not line.lstrip().startswith("#"):
            line = with_cluster_label(line, cluster_label)
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-selector", default=DEFAULT_JOB_SELECTOR)
    parser.add_argument("--cluster-label", default="")
    parser.add_argument("--runbook-url", default=DEFAULT_RUNBOOK_URL)
    parser.add_argument("output", nargs="?", help="folder to write the two files to (default: print them)")
    arguments = parser.parse_args()
    if "{alert}" not in arguments.runbook_url:
        parser.error("--runbook-url must hold {alert}, where the alert's name goes")
    if arguments.cluster_label and not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", arguments.cluster_label):
        parser.error(f"--cluster-label={arguments.cluster_label}: not a Prometheus label name")
    for name in FILES:
        text = render((HERE / name).read_text(), arguments.job_selector, arguments.cluster_label,
                      arguments.runbook_url)
        if arguments.output:
            folder = pathlib.Path(arguments.output)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        else:
            sys.stdout.write(f"# --- {name}\n{text}")


if __name__ == "__main__":
    main()
