#!/usr/bin/env python3
"""Writes the Grafana dashboards of this folder from one description each.

The JSON files are what operators import; this script is how they are edited (one place for the
datasource input, the variables and the panel conventions). After a change:
    python3 dashboards/generate.py && git diff dashboards/
(or `python3 dashboards/generate.py OUTPUT_DIR` to write elsewhere).
The test suite checks that the committed JSON is what this script writes with the defaults.

Configured like a monitoring mixin, for your Prometheus (write them elsewhere, then import):
  --cluster-label LABEL   the label that tells clusters apart (default cluster): the `cluster`
                          variable lists its values and every query matches it (All matches series
                          without it too, so a single cluster needs nothing)
  --job-selector MATCHERS limits the `job` variable to the exporter's jobs, e.g. 'job=~"exesdb.*"'
                          (default: every job with exesdb_exporter_build_info)
Every dashboard also has two annotations: escalations (exesdb_alert_escalations_total) and
exporter restarts (process_start_time_seconds changing).
Metric names: the README's metric tables; recording rules: alerts/recording_rules.yml.
"""

import argparse
import json
import pathlib
import re

DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
EXPORTER = 'job=~"$job", instance=~"$instance"'
NODES = 'job=~"$job", node=~"$node"'
OPERATIONS = 'job=~"$job", node=~"$node", operation=~"$operation"'
RATE = "[$__rate_interval]"

GREEN, YELLOW, ORANGE, RED, BLUE = "green", "yellow", "orange", "red", "blue"


def steps(*pairs):
    """Threshold steps: (None, color) for the base, then (value, color) upwards."""
    return {"mode": "absolute", "steps": [{"color": color, "value": value} for value, color in pairs]}


def mapping(values):
    """Value mappings {number: (text, color)} for state panels."""
    return [
        {
            "type": "value",
            "options": {str(number): {"text": text, "color": color, "index": index}
                        for index, (number, (text, color)) in enumerate(values.items())},
        }
    ]


HEALTH_STATES = {0: ("healthy", GREEN), 1: ("degraded", YELLOW), 2: ("unhealthy", RED), 3: ("unknown", BLUE)}
CHECK_RESULTS = {0: ("pass", GREEN), 1: ("timeout", ORANGE), 2: ("fail", RED)}


def worst_state(family, selector, by, states):
    """One number per `by` group from a stateset: the rank of its current state (worst wins)."""
    parts = [
        f'({family}{{{selector}, {family}="{state}"}} == 1) * {rank}'
        for rank, (state, _) in states.items()
    ]
    return f"max by ({by}) (\n  " + "\n  or ".join(parts) + "\n)"


def target(expr, legend="", ref="A", **extra):
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref, **extra}


class Dashboard:
    def __init__(self, uid, title, description, tags, variables):
        self.uid, self.title, self.description, self.tags = uid, title, description, tags
        self.variables = variables
        self.panels = []
        self.x = self.y = self.row_height = 0

    def row(self, title):
        self._newline()
        self.panels.append({"type": "row", "title": title, "collapsed": False, "panels": [],
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}, "id": len(self.panels) + 1})
        self.y += 1

    def _newline(self):
        if self.x > 0:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0

    def panel(self, kind, title, description, targets, unit, width=12, height=8, thresholds=None,
              mappings=None, options=None, custom=None, minimum=None, maximum=None):
        if self.x + width > 24:
            self._newline()
        defaults = {"unit": unit, "thresholds": thresholds or steps((None, GREEN)),
                    "mappings": mappings or [], "color": {"mode": "thresholds" if kind in ("stat", "bargauge", "state-timeline") else "palette-classic"}}
        if minimum is not None:
            defaults["min"] = minimum
        if maximum is not None:
            defaults["max"] = maximum
        if custom:
            defaults["custom"] = custom
        self.panels.append({
            "id": len(self.panels) + 1, "type": kind, "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets,
            "gridPos": {"x": self.x, "y": self.y, "w": width, "h": height},
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": options or {},
        })
        self.x += width
        self.row_height = max(self.row_height, height)

    def stat(self, title, description, targets, unit, width=6, height=4, text_mode="value_and_name", **kw):
        options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                   "colorMode": "background", "graphMode": "none", "textMode": text_mode}
        self.panel("stat", title, description, targets, unit, width, height, options=options, **kw)

    def timeseries(self, title, description, targets, unit, width=12, height=8, stack=False, **kw):
        custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
                  "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
        # Thresholds above the base are drawn as dashed lines; a time series is not coloured by them.
        if len(kw.get("thresholds", steps((None, GREEN)))["steps"]) > 1:
            custom["thresholdsStyle"] = {"mode": "dashed"}
        options = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                   "tooltip": {"mode": "multi", "sort": "desc"}}
        self.panel("timeseries", title, description, targets, unit, width, height, custom=custom,
                   options=options, **kw)

    def states(self, title, description, targets, states, width=24, height=8):
        options = {"showValue": "never", "mergeValues": True, "rowHeight": 0.8,
                   "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}}
        thresholds = steps((None, GREEN))
        self.panel("state-timeline", title, description, targets, "none", width, height,
                   thresholds=thresholds, mappings=mapping(states), options=options,
                   custom={"fillOpacity": 80, "lineWidth": 0})

    def render(self):
        # The data source, cluster and job variables first, as every dashboard has them.
        variables = [datasource_variable(), cluster_variable(), job_variable()] + [
            variable for variable in self.variables if variable["name"] not in ("DS_PROMETHEUS", "job")]
        return with_cluster(self._document(variables))

    def _document(self, variables):
        return {
            "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "The Prometheus that scrapes exesdb_exporter",
                          "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
            "__requires": [
                {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
                {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
            ],
            "uid": self.uid, "title": self.title, "description": self.description, "tags": self.tags,
            "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1,
            "time": {"from": "now-1h", "to": "now"}, "refresh": "30s", "timezone": "",
            "annotations": {"list": annotations()},
            "links": [{"title": "ExESDB dashboards", "type": "dashboards", "tags": ["exesdb"], "asDropdown": True}],
            "templating": {"list": variables},
            "panels": self.panels,
        }


CONFIG = {"cluster_label": "cluster", "job_selector": ""}


def with_cluster(value):
    """Every `job=~"$job"` matcher (queries, variables, annotations) also matches the cluster."""
    if isinstance(value, dict):
        return {key: with_cluster(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_cluster(item) for item in value]
    if isinstance(value, str):
        return value.replace('job=~"$job"', f'{CONFIG["cluster_label"]}=~"$cluster", job=~"$job"')
    return value


def annotations():
    """Escalations and exporter restarts on every time axis."""
    selector = 'job=~"$job"'
    return [
        {"name": "Escalations", "datasource": DATASOURCE, "enable": True, "hide": False, "iconColor": "orange",
         "expr": f"sum by (to_level) (increase(exesdb_alert_escalations_total{{{selector}}}[$__rate_interval])) > 0",
         "step": "30s", "titleFormat": "Escalation to {{to_level}}", "tagKeys": "to_level", "textFormat": "",
         "useValueForTime": False},
        {"name": "Exporter restarts", "datasource": DATASOURCE, "enable": True, "hide": False, "iconColor": "blue",
         "expr": f"changes(process_start_time_seconds{{{selector}}}[$__rate_interval]) > 0",
         "step": "30s", "titleFormat": "exesdb_exporter {{instance}} restarted", "tagKeys": "instance",
         "textFormat": "", "useValueForTime": False},
    ]


def datasource_variable():
    # Named like the import input, so that ${DS_PROMETHEUS} also resolves when Grafana provisions
    # the file (provisioning does not substitute __inputs).
    return {"name": "DS_PROMETHEUS", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []}


def query_variable(name, label, query, multi=True, include_all=True):
    variable = {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
                "query": {"query": query, "refId": f"{name}-query"}, "definition": query,
                "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all, "current": {},
                "hide": 0, "regex": "", "options": []}
    if include_all:
        variable["allValue"] = ".+"
    return variable


def cluster_variable():
    # Series without the label match All (".*"), so one cluster without it still shows everything.
    variable = query_variable("cluster", "Cluster",
                              f'label_values(exesdb_exporter_build_info, {CONFIG["cluster_label"]})')
    variable["allValue"] = ".*"
    return variable


def job_variable():
    selector = ", ".join(part for part in (f'{CONFIG["cluster_label"]}=~"$cluster"', CONFIG["job_selector"]) if part)
    return query_variable("job", "Job", f"label_values(exesdb_exporter_build_info{{{selector}}}, job)")


JOB = query_variable("job", "Job", "label_values(exesdb_exporter_build_info, job)")  # job_variable() when rendered
INSTANCE = query_variable("instance", "Exporter", 'label_values(exesdb_exporter_build_info{job=~"$job"}, instance)')
NODE = query_variable("node", "Node", 'label_values(exesdb_node_health_status{job=~"$job"}, node)')
OPERATION = query_variable("operation", "Operation", 'label_values(exesdb_operations_total{job=~"$job"}, operation)')


def cluster_overview():
    d = Dashboard("exesdb-cluster-overview", "ExESDB cluster overview",
                  "Health of the ExESDB cluster as its nodes report it over ExESDBGater's health bus, and the alerts they raise.",
                  ["exesdb"], [datasource_variable(), JOB, NODE])
    d.row("Cluster")
    d.stat("Cluster status", "The worst cluster status any node reports (ClusterHealth.status).",
           [target(worst_state("exesdb_cluster_health_status", 'job=~"$job"', "job", HEALTH_STATES), "{{job}}")],
           "none", mappings=mapping(HEALTH_STATES), thresholds=steps((None, GREEN)))
    d.stat("Quorum", "1 while every reporting node sees a majority of the cluster (ClusterHealth.quorum_status).",
           [target(f'min(exesdb_cluster_quorum_available{{job=~"$job"}})', "quorum")], "none",
           mappings=mapping({0: ("lost", RED), 1: ("available", GREEN)}))
    d.stat("Healthy nodes", "Healthy nodes out of the cluster's total, as the reporting nodes count them.",
           [target(f'min(exesdb_cluster_nodes{{job=~"$job", state="healthy"}})', "healthy"),
            target(f'max(exesdb_cluster_nodes{{job=~"$job", state="total"}})', "total", "B")], "none",
           thresholds=steps((None, RED), (1, YELLOW), (2, GREEN)))
    d.stat("Nodes connected to the exporter", "ExESDB nodes the exporters are connected and subscribed to.",
           [target(f'sum(exesdb_exporter_peer_up{{job=~"$job"}})', "connected")], "none",
           thresholds=steps((None, RED), (1, GREEN)))
    d.timeseries("Nodes by state", "Node counts by state in the cluster view (the most any reporter counts).",
                 [target(f'max by (state) (exesdb_cluster_nodes{{job=~"$job", state!="total"}})', "{{state}}")],
                 "none", width=24, stack=True)
    d.row("Nodes")
    d.states("Node health", "Each node's health (NodeHealth.status): green healthy, yellow degraded, red unhealthy, blue unknown.",
             [target(worst_state("exesdb_node_health_status", NODES, "node", HEALTH_STATES), "{{node}}")], HEALTH_STATES)
    d.states("Component health", "Each component's health on each node (ComponentHealth.status).",
             [target(worst_state("exesdb_component_health_status", NODES, "node, component", HEALTH_STATES),
                     "{{node}} {{component}}")], HEALTH_STATES, height=10)
    d.states("Health check results", "The last result of each health check (HealthCheck.result).",
             [target(worst_state("exesdb_health_check_status", NODES, "node, check", CHECK_RESULTS),
                     "{{node}} {{check}}")], CHECK_RESULTS, height=10)
    d.timeseries("Failing node checks", "NodeHealth checks by node: 1 passing, 0 failing.",
                 [target(f"exesdb_node_health_check_passing{{{NODES}}}", "{{node}} {{check}}")], "none",
                 minimum=0, maximum=1)
    d.timeseries("Health check duration (p95)", "95th percentile of health check durations over the interval.",
                 [target(f"histogram_quantile(0.95, sum by (node, check, le) (rate(exesdb_health_check_duration_seconds_bucket{{{NODES}}}{RATE})))",
                         "{{node}} {{check}}")], "s", thresholds=steps((None, GREEN), (1, YELLOW), (5, RED)))
    d.timeseries("Load average", "NodeHealth.load_avg per node.",
                 [target(f"exesdb_node_load_average{{{NODES}}}", "{{node}}")], "none", width=8)
    d.timeseries("Memory usage", "NodeHealth.memory_usage per node.",
                 [target(f"exesdb_node_memory_usage_ratio{{{NODES}}}", "{{node}}")], "percentunit", width=8,
                 minimum=0, maximum=1, thresholds=steps((None, GREEN), (0.8, YELLOW), (0.9, RED)))
    d.timeseries("Disk usage", "NodeHealth.disk_usage per node.",
                 [target(f"exesdb_node_disk_usage_ratio{{{NODES}}}", "{{node}}")], "percentunit", width=8,
                 minimum=0, maximum=1, thresholds=steps((None, GREEN), (0.8, YELLOW), (0.9, RED)))
    d.timeseries("Age of the last health report", "Seconds since each node's last health report of each kind; over a minute means the node stopped reporting.",
                 [target(f"time() - max by (node, kind) (exesdb_health_last_report_timestamp_seconds{{{NODES}}})",
                         "{{node}} {{kind}}")], "s", width=24, thresholds=steps((None, GREEN), (60, YELLOW), (180, RED)))
    d.row("Alerts")
    d.timeseries("Alerts raised by severity", "SystemAlerts per second raised by the selected nodes.",
                 [target(f"sum by (severity) (rate(exesdb_alerts_total{{{NODES}}}{RATE}))", "{{severity}}")],
                 "short", stack=True)
    d.stat("Alerts awaiting acknowledgement", "SystemAlerts that need an ack and have none yet.",
           [target(f'sum(exesdb_alerts_active{{job=~"$job"}}) or vector(0)', "active")], "none", width=12,
           height=8, thresholds=steps((None, GREEN), (1, YELLOW), (5, RED)))
    lifecycle_rows(d)
    return d


def lifecycle_rows(d):
    """The system and lifecycle buses (versions, starts, restarts, membership) and the logging bus."""
    d.row("Lifecycle")
    d.stat("Versions per node", "The system and version each node reported at its start (SystemLifecycle); a node that started before the exporter shows from its next start.",
           [target(f"exesdb_node_info{{{NODES}}}", "{{node}}: {{system}} {{version}}")], "none", width=16,
           text_mode="name")
    d.stat("Versions running", "How many versions of each system the cluster runs: more than one for long is ExESDBVersionSkew.",
           [target(f'max(count by (system) (count by (system, version) (exesdb_node_info{{job=~"$job"}})))', "versions")],
           "none", width=8, thresholds=steps((None, GREEN), (2, ORANGE)))
    d.timeseries("Uptime", "Time since each node reported it had started (SystemLifecycle started).",
                 [target(f"time() - exesdb_node_start_timestamp_seconds{{{NODES}}}", "{{node}}")], "s", width=8,
                 thresholds=steps((None, ORANGE), (3600, GREEN)))
    d.timeseries("Process restarts (last hour)", "Restarts per process and node over the last hour (ProcessLifecycle restarted); ExESDBProcessRestarting fires at 3 in 15 minutes.",
                 [target(f"sum by (node, process) (increase(exesdb_process_restarts_total{{{NODES}}}[1h]))", "{{node}} {{process}}")],
                 "short", width=8, thresholds=steps((None, GREEN), (3, ORANGE)))
    d.timeseries("Lifecycle events", "System, node, process and supervision lifecycle events per second by kind and event.",
                 [target(f"sum by (kind, event) (rate(exesdb_lifecycle_events_total{{{NODES}}}{RATE}))", "{{kind}} {{event}}")],
                 "short", width=8, stack=True)
    d.timeseries("Membership changes (last hour)", "Cluster membership changes the nodes saw over the last hour (ClusterMembership).",
                 [target(f'sum by (change) (increase(exesdb_cluster_membership_changes_total{{job=~"$job"}}[1h]))', "{{change}}")],
                 "short", width=12)
    d.timeseries("Cluster members", "Active and total nodes as the nodes last reported them (ClusterMembership, NodeLifecycle).",
                 [target(f'max by (state) (exesdb_cluster_membership_nodes{{job=~"$job"}})', "{{state}}")], "short",
                 width=12)
    d.row("Logs and diagnostics")
    d.timeseries("Log entries by level", "LogEntry messages per second by level.",
                 [target(f"sum by (level) (rate(exesdb_log_entries_total{{{NODES}}}{RATE}))", "{{level}}")], "short",
                 width=8, stack=True)
    d.timeseries("Errors by component", "Error and critical log entries per second, the ten busiest components; ExESDBErrorLogRateHigh fires at 0.5/s on a node.",
                 [target(f'topk(10, sum by (node, component) (rate(exesdb_log_entries_total{{{NODES}, level=~"error|critical"}}{RATE})))',
                         "{{node}} {{component}}")], "short", width=8, thresholds=steps((None, GREEN), (0.5, RED)))
    d.timeseries("Processes (system snapshots)", "Process count of each node's last SystemState snapshot.",
                 [target(f"exesdb_system_state_processes{{{NODES}}}", "{{node}}")], "short", width=8)


def performance():
    d = Dashboard("exesdb-performance", "ExESDB performance",
                  "Throughput, latency and resource usage ExESDB nodes report on the metrics bus.",
                  ["exesdb"], [datasource_variable(), JOB, NODE, OPERATION])
    d.row("Throughput")
    d.timeseries("Operations per second", "Operations per second by operation, from the counts of ThroughputMetric.",
                 [target(f"sum by (operation) (rate(exesdb_operations_total{{{OPERATIONS}}}{RATE}))", "{{operation}}")],
                 "ops", stack=True)
    d.timeseries("Reported rate by node", "ThroughputMetric.rate_per_sec as each node last reported it.",
                 [target(f"exesdb_throughput_ops_per_second{{{OPERATIONS}}}", "{{node}} {{operation}}")], "ops")
    d.row("Latency")
    for stat, warn, crit in (("p50", 0.01, 0.05), ("p95", 0.05, 0.1), ("p99", 0.05, 0.1)):
        d.timeseries(f"Latency {stat} by operation", f"The {stat} latency the selected nodes report (the highest node per operation).",
                     [target(f'max by (operation) (exesdb_latency_reported_seconds{{{OPERATIONS}, stat="{stat}"}})', "{{operation}}")],
                     "s", width=8, thresholds=steps((None, GREEN), (warn, YELLOW), (crit, RED)))
    d.panel("heatmap", "Latency heatmap", "Every reported latency statistic, bucketed (exesdb_latency_seconds): where the mass of reports lies and how it moves.",
            [target(f"sum by (le) (increase(exesdb_latency_seconds_bucket{{{OPERATIONS}}}{RATE}))", "{{le}}",
                    format="heatmap")], "s", width=16, height=9,
            options={"calculate": False, "yAxis": {"unit": "s"}, "cellGap": 1,
                     "color": {"mode": "scheme", "scheme": "Oranges", "steps": 64},
                     "tooltip": {"show": True, "yHistogram": True}})
    d.timeseries("Latency range by operation", "Reported min, average and max latency per operation (the highest node).",
                 [target(f'max by (operation, stat) (exesdb_latency_reported_seconds{{{OPERATIONS}, stat=~"min|avg|max"}})',
                         "{{operation}} {{stat}}")], "s", width=8, height=9,
                 thresholds=steps((None, GREEN), (0.1, YELLOW), (0.5, RED)))
    d.timeseries("Latency samples per second", "How many operations the latency figures summarise (LatencyMetric.sample_count).",
                 [target(f'sum by (operation) (rate(exesdb_latency_samples_total{{{OPERATIONS}, stat="p99"}}{RATE}))', "{{operation}}")],
                 "ops", width=24)
    d.row("Resources")
    for resource in ("cpu", "memory", "disk", "network"):
        d.timeseries(f"{resource.capitalize()} usage", f"ResourceUsage.usage_percent for {resource} per node.",
                     [target(f'exesdb_resource_usage_ratio{{{NODES}, resource="{resource}"}}', "{{node}}")],
                     "percentunit", width=6, minimum=0, maximum=1,
                     thresholds=steps((None, GREEN), (0.8, YELLOW), (0.9, RED)))
    d.timeseries("Memory used", "ResourceUsage.current_used for memory per node.",
                 [target(f'exesdb_resource_used{{{NODES}, resource="memory"}}', "{{node}} used"),
                  target(f'exesdb_resource_capacity{{{NODES}, resource="memory"}}', "{{node}} capacity", "B")],
                 "bytes")
    d.timeseries("Disk used", "ResourceUsage.current_used for disk per node, and the capacity.",
                 [target(f'exesdb_resource_used{{{NODES}, resource="disk"}}', "{{node}} used"),
                  target(f'exesdb_resource_capacity{{{NODES}, resource="disk"}}', "{{node}} capacity", "B")],
                 "bytes")
    d.row("Components")
    d.timeseries("Component metrics", "PerformanceMetric values by component and metric (units as reported).",
                 [target(f"exesdb_performance_value{{{NODES}}}", "{{node}} {{component}} {{metric}} ({{unit}})")], "short")
    d.timeseries("Component reports per second", "PerformanceMetric reports per second by component.",
                 [target(f"sum by (component) (rate(exesdb_performance_reports_total{{{NODES}}}{RATE}))", "{{component}}")],
                 "short")
    return d


def alerts():
    d = Dashboard("exesdb-alerts", "ExESDB alerts",
                  "SystemAlerts, their escalations and acknowledgements, notification outcomes and metric threshold violations from the alerts and metrics buses.",
                  ["exesdb"], [datasource_variable(), JOB, NODE])
    d.row("Alerts")
    d.timeseries("Alert rate by severity", "SystemAlerts per second by severity.",
                 [target(f"sum by (severity) (rate(exesdb_alerts_total{{{NODES}}}{RATE}))", "{{severity}}")],
                 "short", stack=True)
    d.timeseries("Alert rate by category", "SystemAlerts per second by category.",
                 [target(f"sum by (category) (rate(exesdb_alerts_total{{{NODES}}}{RATE}))", "{{category}}")],
                 "short", stack=True)
    d.stat("Awaiting acknowledgement", "SystemAlerts that need an ack and have none yet.",
           [target(f'sum(exesdb_alerts_active{{job=~"$job"}}) or vector(0)', "active")], "none",
           thresholds=steps((None, GREEN), (1, YELLOW), (5, RED)))
    d.stat("Acknowledged (last hour)", "AlertAck messages in the last hour.",
           [target(f'sum(increase(exesdb_alert_acks_total{{job=~"$job"}}[1h])) or vector(0)', "acks")], "none")
    d.stat("Critical alerts (last hour)", "Critical SystemAlerts raised in the last hour.",
           [target(f'sum(increase(exesdb_alerts_total{{{NODES}, severity="critical"}}[1h])) or vector(0)', "critical")],
           "none", thresholds=steps((None, GREEN), (1, RED)))
    d.stat("Escalations to level 3 (last hour)", "Escalations that reached the last level in the last hour.",
           [target(f'sum(increase(exesdb_alert_escalations_total{{job=~"$job", to_level="level3"}}[1h])) or vector(0)', "level3")],
           "none", thresholds=steps((None, GREEN), (1, ORANGE)))
    d.panel("bargauge", "Awaiting acknowledgement by severity and category",
            "Active alerts needing an ack, by severity and category.",
            [target(f'sum by (severity, category) (exesdb_alerts_active{{job=~"$job"}})', "{{severity}} {{category}}")],
            "none", width=24, height=6, thresholds=steps((None, GREEN), (1, YELLOW), (5, RED)),
            options={"displayMode": "gradient", "orientation": "horizontal",
                     "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}})
    d.row("Escalations and notifications")
    d.timeseries("Escalations by level", "AlertEscalation messages per second by the level escalated to.",
                 [target(f'sum by (to_level) (rate(exesdb_alert_escalations_total{{job=~"$job"}}{RATE}))', "{{to_level}}")],
                 "short", stack=True)
    d.timeseries("Notification outcomes", "NotificationStatus messages per second by delivery method and status.",
                 [target(f'sum by (delivery_method, status) (rate(exesdb_alert_notifications_total{{job=~"$job"}}{RATE}))',
                         "{{delivery_method}} {{status}}")], "short", stack=True)
    d.timeseries("Escalations forwarded to webhooks", "The exporter's webhook deliveries per second by endpoint and outcome.",
                 [target(f'sum by (endpoint, outcome) (rate(exesdb_exporter_webhook_deliveries_total{{job=~"$job"}}{RATE}))',
                         "{{endpoint}} {{outcome}}")], "short", width=24)
    d.row("Metric thresholds")
    d.timeseries("Threshold violations", "MetricAlert messages per second by metric and severity.",
                 [target(f"sum by (metric, severity) (rate(exesdb_metric_threshold_violations_total{{{NODES}}}{RATE}))",
                         "{{metric}} {{severity}}")], "short")
    d.timeseries("Observed value and threshold", "The last MetricAlert's observed value and its threshold, per node and metric.",
                 [target(f"exesdb_metric_threshold_observed_value{{{NODES}}}", "{{node}} {{metric}} observed"),
                  target(f"exesdb_metric_threshold_value{{{NODES}}}", "{{node}} {{metric}} threshold ({{threshold_type}})", "B")],
                 "short")
    return d


def exporter():
    d = Dashboard("exesdb-exporter", "exesdb_exporter",
                  "The exporter itself: its connections to the ExESDB nodes, the messages it accepts and rejects, scrapes, series and webhook deliveries.",
                  ["exesdb", "exporter"], [datasource_variable(), JOB, INSTANCE])
    d.row("Connections")
    d.stat("Subscribed", "1 while at least one ExESDB node is connected and subscribed (exesdb_up).",
           [target(f"min(exesdb_up{{{EXPORTER}}})", "exesdb_up")], "none",
           mappings=mapping({0: ("no node", RED), 1: ("subscribed", GREEN)}))
    d.stat("Peers up", "ExESDB nodes connected and subscribed.",
           [target(f"sum(exesdb_exporter_peer_up{{{EXPORTER}}})", "peers")], "none",
           thresholds=steps((None, RED), (1, GREEN)))
    d.stat("Version", "The exporter's version and the Swift it was built with.",
           [target(f"exesdb_exporter_build_info{{{EXPORTER}}}", "{{version}} ({{revision}}, Swift {{swift_version}})")],
           "none", width=12, text_mode="name")
    d.timeseries("Peer up", "1 per ExESDB node while connected and subscribed.",
                 [target(f"exesdb_exporter_peer_up{{{EXPORTER}}}", "{{peer}}")], "none", minimum=0, maximum=1)
    d.timeseries("Connection attempts by result", "Connection attempts per second by outcome (cookie_mismatch, not_registered, ...).",
                 [target(f"sum by (peer, result) (rate(exesdb_exporter_peer_connects_total{{{EXPORTER}}}{RATE}))",
                         "{{peer}} {{result}}")], "short")
    d.row("Messages")
    d.timeseries("Messages per second", "Accepted messages per second by bus and type.",
                 [target(f"sum by (bus, type) (rate(exesdb_exporter_messages_total{{{EXPORTER}}}{RATE}))", "{{bus}} {{type}}")],
                 "short", stack=True)
    d.timeseries("Rejections by reason", "Rejected messages per second by bus and reason (bad_signature, unsigned, unverifiable, malformed, unknown_type).",
                 [target(f"sum by (bus, reason) (rate(exesdb_exporter_messages_rejected_total{{{EXPORTER}}}{RATE})) or vector(0)",
                         "{{bus}} {{reason}}")], "short", thresholds=steps((None, GREEN), (0.001, RED)))
    d.timeseries("Age of the last message", "Seconds since the last message from each node on each bus (the alerts bus is quiet by nature).",
                 [target(f"time() - exesdb_exporter_last_message_timestamp_seconds{{{EXPORTER}}}", "{{peer}} {{bus}}")],
                 "s", width=24, thresholds=steps((None, GREEN), (60, YELLOW), (180, RED)))
    d.row("Scrapes and series")
    d.timeseries("Scrape duration (p99)", "99th percentile of the time to render one scrape, by format.",
                 [target(f"histogram_quantile(0.99, sum by (format, le) (rate(exesdb_exporter_scrape_duration_seconds_bucket{{{EXPORTER}}}{RATE})))",
                         "{{format}}")], "s", width=8, thresholds=steps((None, GREEN), (0.1, YELLOW), (1, RED)))
    d.timeseries("Live series", "Series the exporter serves.",
                 [target(f"exesdb_exporter_series{{{EXPORTER}}}", "{{instance}}")], "short", width=8)
    d.timeseries("Series dropped and expired", "Series per second refused at the cardinality limit, and removed by the TTL.",
                 [target(f"sum by (reason) (rate(exesdb_exporter_series_dropped_total{{{EXPORTER}}}{RATE})) or vector(0)", "dropped {{reason}}"),
                  target(f"sum(rate(exesdb_exporter_series_expired_total{{{EXPORTER}}}{RATE}))", "expired", "B")],
                 "short", width=8)
    d.row("Webhooks")
    d.timeseries("Deliveries by outcome", "Webhook deliveries per second by endpoint and outcome (delivered, retried, failed, dropped).",
                 [target(f"sum by (endpoint, outcome) (rate(exesdb_exporter_webhook_deliveries_total{{{EXPORTER}}}{RATE}))",
                         "{{endpoint}} {{outcome}}")], "short", width=12)
    d.timeseries("Delivery duration (p95)", "95th percentile of one delivery attempt's duration by endpoint.",
                 [target(f"histogram_quantile(0.95, sum by (endpoint, le) (rate(exesdb_exporter_webhook_delivery_duration_seconds_bucket{{{EXPORTER}}}{RATE})))",
                         "{{endpoint}}")], "s", width=12, thresholds=steps((None, GREEN), (1, YELLOW), (5, RED)))
    d.timeseries("Queue length", "Pending deliveries per endpoint, spooled ones included.",
                 [target(f"exesdb_exporter_webhook_queue_length{{{EXPORTER}}}", "{{endpoint}}")], "short",
                 thresholds=steps((None, GREEN), (10, YELLOW), (100, RED)))
    d.timeseries("Oldest pending delivery", "Age of the oldest pending delivery per endpoint.",
                 [target(f"exesdb_exporter_webhook_oldest_pending_age_seconds{{{EXPORTER}}}", "{{endpoint}}")], "s",
                 thresholds=steps((None, GREEN), (60, YELLOW), (300, RED)))
    d.row("Process")
    d.timeseries("CPU", "CPU seconds per second used by the exporter.",
                 [target(f"rate(process_cpu_seconds_total{{{EXPORTER}}}{RATE})", "{{instance}}")], "percentunit", width=8,
                 thresholds=steps((None, GREEN), (0.5, YELLOW), (0.9, RED)))
    d.timeseries("Resident memory", "The exporter's resident memory.",
                 [target(f"process_resident_memory_bytes{{{EXPORTER}}}", "{{instance}}")], "bytes", width=8)
    d.timeseries("Open file descriptors", "Open file descriptors and the limit.",
                 [target(f"process_open_fds{{{EXPORTER}}}", "{{instance}} open"),
                  target(f"process_max_fds{{{EXPORTER}}}", "{{instance}} max", "B")], "short", width=8)
    return d


BEAM_NODE = query_variable("node", "Node", 'label_values(erlang_vm_info{job=~"$job"}, node)')


def limit_ratio(count, limit):
    """A node's use of one of its VM limits, 0 to 1."""
    return f"max by (node) ({count}{{{NODES}}}) / max by (node) ({limit}{{{NODES}}})"


def beam():
    d = Dashboard("exesdb-beam", "ExESDB BEAM",
                  "Each ExESDB node's Erlang VM as the exporter reads it over the distribution (rex), with nothing installed in the nodes: memory, limits, schedulers, reductions, GC, I/O, applications and the distribution mesh. Names follow prometheus.erl's VM collectors.",
                  ["exesdb", "beam"], [datasource_variable(), JOB, BEAM_NODE])
    d.row("Nodes")
    d.stat("Nodes read", "Nodes whose VM the exporters read (erlang_vm_info).",
           [target(f'count(count by (node) (erlang_vm_info{{{NODES}}}))', "nodes")], "none",
           thresholds=steps((None, RED), (1, GREEN)))
    d.stat("OTP release", "Each node's OTP release and ERTS version.",
           [target(f"erlang_vm_info{{{NODES}}}", "{{node}}: OTP {{otp_release}}, ERTS {{erts_version}}")], "none",
           width=18, text_mode="name")
    d.panel("table", "Applications", "The applications each node runs and their versions (application:which_applications/0): which ExESDB and Gater run where.",
            [target(f"exesdb_node_application_info{{{NODES}}}", "", format="table", instant=True)], "none",
            width=24, height=8,
            options={"showHeader": True, "cellHeight": "sm", "footer": {"show": False}})
    d.row("Memory")
    d.timeseries("Memory by kind", "Each node's system memory by usage (atom, binary, code, ets, other) and its process memory, stacked.",
                 [target(f"sum by (node, usage) (erlang_vm_memory_system_bytes{{{NODES}}})", "{{node}} {{usage}}"),
                  target(f'sum by (node) (erlang_vm_memory_bytes{{{NODES}, kind="processes"}})', "{{node}} processes", "B")],
                 "bytes", stack=True)
    d.timeseries("Total memory", "All memory each node's VM has allocated (processes and system).",
                 [target(f"sum by (node) (erlang_vm_memory_bytes{{{NODES}}})", "{{node}}")], "bytes")
    d.row("Limits")
    for title, count, limit in (("Processes", "erlang_vm_processes", "erlang_vm_process_limit"),
                                ("Atoms", "erlang_vm_atoms", "erlang_vm_atom_limit"),
                                ("Ports", "erlang_vm_ports", "erlang_vm_port_limit"),
                                ("ETS tables", "erlang_vm_memory_ets_tables", "erlang_vm_ets_limit")):
        d.timeseries(f"{title} / limit", f"{title} existing as a share of the node's limit ({count} / {limit}); an atom table never shrinks, and a full one stops the node.",
                     [target(limit_ratio(count, limit), "{{node}}")], "percentunit", width=6, minimum=0, maximum=1,
                     thresholds=steps((None, GREEN), (0.8, YELLOW), (0.9, RED)))
    d.row("Schedulers")
    d.timeseries("Run queue", "Processes and ports ready to run, per node, beside its schedulers online: a queue longer than the schedulers for long means the node is short of CPU.",
                 [target(f"erlang_vm_statistics_run_queues_length{{{NODES}}}", "{{node}} run queue"),
                  target(f"erlang_vm_schedulers_online{{{NODES}}}", "{{node}} schedulers online", "B")],
                 "short", thresholds=steps((None, GREEN), (10, YELLOW), (50, RED)))
    d.timeseries("Dirty run queues", "Work waiting for the dirty CPU and dirty I/O schedulers.",
                 [target(f"erlang_vm_statistics_dirty_cpu_run_queue_length{{{NODES}}}", "{{node}} dirty CPU"),
                  target(f"erlang_vm_statistics_dirty_io_run_queue_length{{{NODES}}}", "{{node}} dirty I/O", "B")],
                 "short")
    d.timeseries("Reductions per second", "Work done by each node's processes (reductions per second).",
                 [target(f"rate(erlang_vm_statistics_reductions_total{{{NODES}}}{RATE})", "{{node}}")], "short", width=8)
    d.timeseries("Context switches per second", "Process switches per second on each node.",
                 [target(f"rate(erlang_vm_statistics_context_switches_total{{{NODES}}}{RATE})", "{{node}}")], "short", width=8)
    d.timeseries("VM CPU", "CPU seconds per second of the VM's threads (statistics(runtime)).",
                 [target(f"rate(erlang_vm_statistics_runtime_seconds_total{{{NODES}}}{RATE})", "{{node}}")], "percentunit",
                 width=8, minimum=0, thresholds=steps((None, GREEN), (0.8, YELLOW), (0.95, RED)))
    d.timeseries("Schedulers", "Scheduler threads online and configured, dirty CPU schedulers online, per node.",
                 [target(f"erlang_vm_schedulers_online{{{NODES}}}", "{{node}} online"),
                  target(f"erlang_vm_schedulers{{{NODES}}}", "{{node}} configured", "B"),
                  target(f"erlang_vm_dirty_cpu_schedulers_online{{{NODES}}}", "{{node}} dirty CPU online", "C")],
                 "short", width=24)
    d.row("Garbage collection and I/O")
    d.timeseries("Garbage collections per second", "GC runs per second on each node.",
                 [target(f"rate(erlang_vm_statistics_garbage_collection_number_of_gcs_total{{{NODES}}}{RATE})", "{{node}}")],
                 "short", width=8)
    d.timeseries("Memory reclaimed by GC", "Bytes per second garbage collection reclaims on each node.",
                 [target(f"rate(erlang_vm_statistics_garbage_collection_bytes_reclaimed_total{{{NODES}}}{RATE})", "{{node}}")],
                 "Bps", width=8)
    d.timeseries("Port I/O", "Bytes per second each node received and sent through its ports (sockets, files, the distribution).",
                 [target(f"rate(erlang_vm_statistics_bytes_received_total{{{NODES}}}{RATE})", "{{node}} in"),
                  target(f"rate(erlang_vm_statistics_bytes_output_total{{{NODES}}}{RATE})", "{{node}} out", "B")],
                 "Bps", width=8)
    d.row("Processes and ports")
    d.timeseries("Processes", "Processes per node.",
                 [target(f"erlang_vm_processes{{{NODES}}}", "{{node}}")], "short")
    d.timeseries("Ports", "Ports (sockets, files, drivers) per node.",
                 [target(f"erlang_vm_ports{{{NODES}}}", "{{node}}")], "short")
    d.row("Distribution")
    d.states("Distribution mesh", "Each node's link to each other visible node: green up, yellow up_pending, orange pending (net_kernel:nodes_info/0). A missing row is a link the node does not have.",
             [target(f"erlang_vm_dist_node_state{{{NODES}}}", "{{node}} → {{peer}}")], DIST_STATES, height=10)
    d.timeseries("Peers seen per node", "How many other nodes each node is connected to (up), beside how many the exporters read less one: a node below the line is cut off from part of the cluster.",
                 [target(f"count by (node) (erlang_vm_dist_node_state{{{NODES}}} == 3)", "{{node}}"),
                  target(f'count(count by (node) (erlang_vm_info{{job=~"$job"}})) - 1', "cluster size - 1", "B")],
                 "short", width=12)
    d.row("Reading the nodes")
    d.timeseries("Read duration", "How long the exporter's last read of each node took (--collector.beam.timeout bounds each call).",
                 [target(f'exesdb_exporter_collector_duration_seconds{{{NODES}, collector="beam"}}', "{{node}}")],
                 "s", thresholds=steps((None, GREEN), (1, YELLOW), (5, RED)))
    d.timeseries("Read errors", "Items per second a read could not report, by node and reason: timeout (the node did not answer), badrpc (it raised or lacks the item), decode (an answer of another shape).",
                 [target(f'sum by (node, reason) (rate(exesdb_exporter_collector_errors_total{{{NODES}, collector="beam"}}{RATE}))',
                         "{{node}} {{reason}}")], "short", thresholds=steps((None, GREEN), (0.001, RED)))
    return d


DIST_STATES = {3: ("up", GREEN), 2: ("up_pending", YELLOW), 1: ("pending", ORANGE)}


def security_audit():
    d = Dashboard("exesdb-security-audit", "ExESDB security and audit",
                  "Logins, sessions, access violations and security alerts from ExESDBGater's security bus, and the audit trail from its audit bus (the exporter follows them with --pubsub.all-buses).",
                  ["exesdb", "security"], [datasource_variable(), JOB, NODE])
    d.row("Authentication")
    d.stat("Login failures (last hour)", "Failed logins in the last hour (AuthEvent login_failure); ExESDBLoginFailureBurst fires at 20 in 5 minutes on a node.",
           [target(f'sum(increase(exesdb_auth_events_total{{{NODES}, event="login_failure"}}[1h])) or vector(0)', "failures")],
           "none", thresholds=steps((None, GREEN), (20, ORANGE), (100, RED)))
    d.stat("High and critical security alerts (last hour)", "SecurityAlerts of high or critical severity in the last hour.",
           [target(f'sum(increase(exesdb_security_alerts_total{{{NODES}, severity=~"high|critical"}}[1h])) or vector(0)', "alerts")],
           "none", thresholds=steps((None, GREEN), (1, RED)))
    d.stat("Access violations (last hour)", "AccessViolation messages in the last hour, every type and severity.",
           [target(f"sum(increase(exesdb_access_violations_total{{{NODES}}}[1h])) or vector(0)", "violations")],
           "none", thresholds=steps((None, GREEN), (10, YELLOW), (50, RED)))
    d.stat("Sessions started (last hour)", "SessionEvent created in the last hour.",
           [target(f'sum(increase(exesdb_sessions_total{{{NODES}, event="created"}}[1h])) or vector(0)', "sessions")],
           "none", thresholds=steps((None, BLUE), (1, GREEN)))
    d.timeseries("Logins by event and method", "AuthEvent messages per second by event and method.",
                 [target(f"sum by (event, method) (rate(exesdb_auth_events_total{{{NODES}}}{RATE}))", "{{event}} {{method}}")],
                 "short", stack=True)
    d.timeseries("Login failures by node", "Failed logins per second on each node: a brute force shows as a spike on one.",
                 [target(f'sum by (node) (rate(exesdb_auth_events_total{{{NODES}, event="login_failure"}}{RATE}))', "{{node}}")],
                 "short", thresholds=steps((None, GREEN), (0.1, ORANGE)))
    d.timeseries("Sessions by event", "SessionEvent messages per second by event.",
                 [target(f"sum by (event) (rate(exesdb_sessions_total{{{NODES}}}{RATE}))", "{{event}}")], "short",
                 stack=True)
    d.timeseries("Session length (p50, p95)", "Lengths of the sessions that ended over the interval (SessionEvent.duration_ms).",
                 [target(f"histogram_quantile(0.5, sum by (le) (rate(exesdb_session_duration_seconds_bucket{{{NODES}}}{RATE})))", "p50"),
                  target(f"histogram_quantile(0.95, sum by (le) (rate(exesdb_session_duration_seconds_bucket{{{NODES}}}{RATE})))", "p95", "B")],
                 "s", thresholds=steps((None, GREEN), (28800, YELLOW)))
    d.row("Violations and security alerts")
    d.timeseries("Access violations by type and severity", "AccessViolation messages per second by violation and severity.",
                 [target(f"sum by (violation, severity) (rate(exesdb_access_violations_total{{{NODES}}}{RATE}))",
                         "{{violation}} {{severity}}")], "short", stack=True)
    d.timeseries("Security alerts by type and severity (last hour)", "SecurityAlerts of the last hour by type and severity; ExESDBSecurityCritical fires on any critical one.",
                 [target(f"sum by (type, severity) (increase(exesdb_security_alerts_total{{{NODES}}}[1h]))",
                         "{{type}} {{severity}}")], "short", thresholds=steps((None, GREEN), (1, ORANGE)))
    d.row("Audit trail")
    d.timeseries("Audit records by kind and action", "Audit messages per second: data changes, admin actions, accesses and compliance events, by action.",
                 [target(f"sum by (kind, action) (rate(exesdb_audit_events_total{{{NODES}}}{RATE}))", "{{kind}} {{action}}")],
                 "short", width=24, stack=True)
    d.timeseries("Accesses by result", "Audited accesses per second by resource type and result (AccessLog.success).",
                 [target(f"sum by (resource_type, result) (rate(exesdb_audit_access_total{{{NODES}}}{RATE}))",
                         "{{resource_type}} {{result}}")], "short", width=8, stack=True)
    d.timeseries("Access duration (p95)", "95th percentile of audited access durations (AccessLog.duration_ms).",
                 [target(f"histogram_quantile(0.95, sum by (le) (rate(exesdb_audit_access_duration_seconds_bucket{{{NODES}}}{RATE})))", "p95")],
                 "s", width=8, thresholds=steps((None, GREEN), (0.1, YELLOW), (1, RED)))
    d.timeseries("Admin actions and compliance events (last hour)", "AdminAction and ComplianceEvent messages of the last hour by action.",
                 [target(f'sum by (kind, action) (increase(exesdb_audit_events_total{{{NODES}, kind=~"admin_action|compliance"}}[1h]))',
                         "{{kind}} {{action}}")], "short", width=8)
    return d


DASHBOARDS = {
    "exesdb-cluster-overview.json": cluster_overview,
    "exesdb-performance.json": performance,
    "exesdb-alerts.json": alerts,
    "exesdb-exporter.json": exporter,
    "exesdb-beam.json": beam,
    "exesdb-security-audit.json": security_audit,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster-label", default=CONFIG["cluster_label"])
    parser.add_argument("--job-selector", default=CONFIG["job_selector"])
    parser.add_argument("output", nargs="?", help="folder to write to (default: this one; the tests compare)")
    arguments = parser.parse_args()
    if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", arguments.cluster_label):
        parser.error(f"--cluster-label={arguments.cluster_label}: not a Prometheus label name")
    CONFIG.update(cluster_label=arguments.cluster_label, job_selector=arguments.job_selector)
    folder = pathlib.Path(arguments.output) if arguments.output else pathlib.Path(__file__).resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in DASHBOARDS.items():
        text = json.dumps(build().render(), indent=2, sort_keys=False) + "\n"
        (folder / name).write_text(text)
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main()
