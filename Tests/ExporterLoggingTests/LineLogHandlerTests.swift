import Foundation
import Logging
import Synchronization
import Testing

@testable import ExporterLogging

@Suite struct LineLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    func logger(_ format: LogFormat, _ control: LogLevelControl, into lines: Lines) -> Logger {
        Logger(label: "test") { label in
            LineLogHandler(label: label, format: format, control: control) { line in
                lines.lines.withLock { $0.append(line) }
            }
        }
    }

    @Test func logfmtQuotesWhatNeedsIt() {
        let lines = Lines()
        logger(.logfmt, LogLevelControl(.info), into: lines).warning(
            "peer down", metadata: ["peer": "ex_esdb@a", "reason": "said \"no\"\nbye"])
        let line = lines.all.first ?? ""
        #expect(line.hasPrefix("ts="))
        #expect(
            line.contains(
                #" level=warning source=ExporterLoggingTests msg="peer down" peer=ex_esdb@a reason="said \"no\"\nbye""#)
        )
    }

    @Test func jsonIsOneValidObjectPerLine() throws {
        let lines = Lines()
        logger(.json, LogLevelControl(.info), into: lines).error("bad\tthing", metadata: ["n": "1"])
        let object = try JSONSerialization.jsonObject(with: Data((lines.all.first ?? "").utf8)) as? [String: String]
        #expect(object?["level"] == "error")
        #expect(object?["msg"] == "bad\tthing")
        #expect(object?["n"] == "1")
    }

    @Test func theLevelCanChangeForEveryLoggerAtOnce() {
        let lines = Lines()
        let control = LogLevelControl(.info)
        let logger = logger(.logfmt, control, into: lines)
        logger.debug("hidden")
        control.current = .debug
        logger.debug("shown")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("msg=shown") == true)
    }

    /// A library quietening its own copy (Hummingbird's, say) must not silence everyone else.
    @Test func aLoggersOwnLevelStaysWithThatLogger() {
        let lines = Lines()
        let control = LogLevelControl(.info)
        let logger = logger(.logfmt, control, into: lines)
        var quiet = logger
        quiet.logLevel = .error
        quiet.info("quiet copy")
        logger.info("shown")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("msg=shown") == true)
        #expect(control.current == .info)
    }
}
