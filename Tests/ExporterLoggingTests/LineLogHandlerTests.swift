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

    /// A peer sets neither the size of our lines nor what reaches an operator's terminal: a 1 MB
    /// topic is cut at 256 bytes saying how long it was, ESC and DEL are escaped in both formats.
    @Test func peerValuesAreCappedAndControlCharactersEscaped() throws {
        let topic = String(repeating: "t", count: 1_000_000)
        let hostile = "\u{1B}[2Jwiped\u{7F}\u{0}"
        for format in [LogFormat.logfmt, .json] {
            let lines = Lines()
            logger(format, LogLevelControl(.info), into: lines).warning(
                "rejected \(hostile)", metadata: ["topic": "\(topic)", "node": "\(hostile)"])
            let line = try #require(lines.all.first)
            #expect(line.utf8.count < 2000, "\(format): \(line.utf8.count) bytes")
            #expect(line.contains(String(repeating: "t", count: 256) + "…(1000000 bytes)"), "\(format)")
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(format): \(line)")
            #expect(line.contains(#"\u001b[2Jwiped\u007f\u0000"#), "\(format): \(line)")
        }
        // A multibyte character is never split by the cut.
        #expect(
            LineLogHandler.capped(String(repeating: "a", count: 255) + "é", at: 256) == String(
                repeating: "a", count: 255) + "…(257 bytes)")
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
