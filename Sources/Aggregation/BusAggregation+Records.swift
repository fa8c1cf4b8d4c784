import GaterMessages

/// The audit, diagnostics, security and logging buses.
extension BusAggregation {
    // MARK: - Audit bus

    func record(_ change: DataChange) {
        families.auditEvents.increment([change.node, "data_change", Vocabulary.dataActions.label(change.action)])
    }

    func record(_ action: AdminAction) {
        families.auditEvents.increment([action.node, "admin_action", Vocabulary.adminActions.label(action.actionType)])
    }

    func record(_ access: AccessLog, at now: Double) {
        families.auditEvents.increment([access.node, "access", name(accessActions, access.action, now)])
        let result = access.success.map { $0 ? "success" : "failure" } ?? "other"
        families.auditAccess.increment([access.node, name(resourceTypes, access.resourceType, now), result])
        if let duration = access.durationMilliseconds, duration >= 0 {
            families.auditAccessDuration.observe(duration / 1000, [access.node])
        }
    }

    func record(_ event: ComplianceEvent) {
        families.auditEvents.increment([event.node, "compliance", Vocabulary.complianceEvents.label(event.eventType)])
    }

    // MARK: - Diagnostics bus

    func record(_ trace: DebugTrace, at now: Double) {
        let labels = [trace.node, name(diagnosticComponents, trace.component, now)]
        families.debugTraces.increment(labels)
        if let duration = trace.durationMilliseconds, duration >= 0 {
            families.debugTraceDuration.observe(duration / 1000, labels)
        }
    }

    /// Findings past the cap read as `other`, which is no one value: not set.
    func record(_ analysis: PerformanceAnalysis, at now: Double) {
        let series = [
            analysis.node, name(diagnosticComponents, analysis.component, now),
            Vocabulary.analysisTypes.label(analysis.analysisType),
        ]
        families.analyses.increment(series + [Vocabulary.severities.label(analysis.severity)])
        for finding in analysis.findings {
            let label = name(findings, finding.name, now)
            if label != "other" { families.analysisFinding.set(finding.value, series + [label]) }
        }
    }

    func record(_ state: SystemState) {
        families.snapshots.increment([state.node, Vocabulary.snapshotTypes.label(state.snapshotType)])
        if let processes = state.processCount { families.stateProcesses.set(Double(processes), [state.node]) }
        if let memory = state.memoryBytes { families.stateMemory.set(memory, [state.node]) }
    }

    func record(_ analysis: ErrorAnalysis, at now: Double) {
        let errorType = name(errorTypes, analysis.errorType, now)
        families.errorAnalyses.increment([analysis.node, errorType])
        if let frequency = analysis.frequency, errorType != "other" {
            families.errorFrequency.set(Double(frequency), [analysis.node, errorType])
        }
    }

    // MARK: - Security bus

    func record(_ event: AuthEvent) {
        families.authEvents.increment([
            event.node, Vocabulary.authEvents.label(event.eventType), Vocabulary.authMethods.label(event.method),
        ])
    }

    func record(_ violation: AccessViolation) {
        families.accessViolations.increment([
            violation.node, Vocabulary.violations.label(violation.violationType),
            Vocabulary.severities.label(violation.severity),
        ])
    }

    func record(_ alert: SecurityAlert) {
        families.securityAlerts.increment([
            alert.node, Vocabulary.securityAlertTypes.label(alert.alertType),
            Vocabulary.severities.label(alert.severity),
        ])
    }

    /// A session's length is known when it ends (destroyed, expired, invalidated).
    func record(_ event: SessionEvent) {
        families.sessions.increment([event.node, Vocabulary.sessionEvents.label(event.eventType)])
        if let duration = event.durationMilliseconds, duration >= 0 {
            families.sessionDuration.observe(duration / 1000, [event.node])
        }
    }

    // MARK: - Logging bus

    func record(_ entry: LogEntry, at now: Double) {
        families.logEntries.increment([
            entry.node, Vocabulary.logLevels.label(entry.level), name(logComponents, entry.module, now),
        ])
    }

    /// ExESDB broadcasts each event twice, on `logging:<component>` and `logging:store:<id>`:
    /// the store's copy is not counted again.
    func record(_ event: LogEvent, topic: String, at now: Double) {
        guard !topic.hasPrefix("logging:store:") else { return }
        families.logEvents.increment([
            event.node, name(logComponents, event.component, now), Vocabulary.logEventTypes.label(event.eventType),
        ])
    }

    /// The counts of the summary's levels, the levels outside the documented ones summed as `other`.
    func record(_ summary: LogSummary) {
        var byLevel: [String: Double] = [:]
        for count in summary.levelCounts { byLevel[Vocabulary.logLevels.label(count.name), default: 0] += count.value }
        for (level, count) in byLevel { families.summaryEntries.set(count, [summary.node, level]) }
        if let rate = summary.errorsPerMinute { families.summaryErrorRate.set(rate / 60, [summary.node]) }
    }

    func record(_ filter: LogFilter) {
        families.filterUpdates.increment([
            filter.node, Vocabulary.filterTypes.label(filter.filterType), Vocabulary.filterActions.label(filter.action),
        ])
    }

    func record(_ rotation: LogRotation, at now: Double) {
        families.rotations.increment([rotation.node, name(logTypes, rotation.logType, now)])
        if let bytes = rotation.fileBytes, bytes > 0 { families.rotatedBytes.add(bytes, [rotation.node]) }
    }
}
