/// The decoders of the `ex_esdb_diagnostics` and `ex_esdb_logging` payloads and of ExESDB's
/// unsigned `log_event`. Each counts whatever its fields hold, except a LogSummary, which is
/// nothing without one of its numbers.
extension GaterDecoder {
    static func debugTrace<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .debugTrace(
            DebugTrace(
                component: f.text(.component), durationMilliseconds: f.double(.durationMs),
                node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func performanceAnalysis<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .performanceAnalysis(
            PerformanceAnalysis(
                component: f.text(.component), analysisType: f.text(.analysisType), severity: f.text(.severity),
                findings: f.numericTags(.findings), node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func systemState<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .systemState(
            SystemState(
                snapshotType: f.text(.snapshotType), processCount: f.count(.processCount),
                memoryBytes: f.double(.memoryUsage), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func errorAnalysis<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .errorAnalysis(
            ErrorAnalysis(
                errorType: f.text(.errorType), frequency: f.count(.frequency), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func logEntry<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .logEntry(
            LogEntry(
                level: f.text(.level), module: f.text(.module), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func logSummary<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        let summary = LogSummary(
            levelCounts: f.numericTags(.logCounts), errorsPerMinute: f.double(.errorRate),
            totalLogs: f.count(.totalLogs), node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp))
        guard !summary.levelCounts.isEmpty || summary.errorsPerMinute != nil || summary.totalLogs != nil else {
            return nil
        }
        return .logSummary(summary)
    }

    static func logFilter<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .logFilter(
            LogFilter(
                filterType: f.text(.filterType), action: f.text(.action), enabled: f.bool(.enabled),
                node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func logRotation<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .logRotation(
            LogRotation(
                logType: f.text(.logType), fileBytes: f.double(.fileSize), entries: f.count(.entriesCount),
                node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func logEvent<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .logEvent(
            LogEvent(
                component: f.text(.component), eventType: f.text(.eventType), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }
}
