import Foundation
import Synchronization

/// A long-running tool whose output lines can be awaited; stopped when released.
public final class BackgroundProcess: Sendable {
    private let process: Process
    private let output = LineBuffer()
    /// The pipe's reading end, kept open so that what it still holds can be asked (`isDrained`).
    private let reader: FileHandle

    /// Starts `tool`; its standard output and error are collected line by line.
    public init(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        // Process is not Sendable, but after run() it is only used through its thread-safe
        // methods (terminate, processIdentifier, isRunning, waitUntilExit).
        let process = try ErlangTools.makeProcess(tool, arguments, environment: environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        self.process = process
        reader = pipe.fileHandleForReading
        reader.readabilityHandler = { [output] handle in
            output.read { handle.availableData }
        }
        do {
            try process.run()
        } catch {
            throw ErlangTools.Failure(description: "cannot start \(tool) (install erlang-base): \(error)")
        }
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { end == nil }

    /// How the process ended (its exit status, or the signal that killed it); nil while it runs.
    /// Foundation learns of an exit only once every holder of the socket it watches for it has
    /// closed that socket, and a process spawned meanwhile by another thread of this test
    /// process may have inherited it (as it may inherit the output pipe): so the end is also
    /// read from the kernel, without collecting the process, which stays Foundation's to do.
    private var end: (status: Int32, bySignal: Bool)? {
        if !process.isRunning { return (process.terminationStatus, process.terminationReason == .uncaughtSignal) }
        var info = siginfo_t()
        let pid = process.processIdentifier
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
            info._sifields._sigchld.si_pid == pid
        else { return nil }
        return (info._sifields._sigchld.si_status, info.si_code != CLD_EXITED)
    }
    public var lines: [String] { output.lines }

    /// When the first line containing `text` was read from the process (on the reading thread,
    /// not the cooperative pool: a loaded pool does not make it late).
    public func moment(ofFirstLineContaining text: String) -> ContinuousClock.Instant? {
        output.moment(ofFirstLineContaining: text)
    }

    /// Waits until a line containing `text` has been printed; returns it (see `waitFor`).
    @discardableResult
    public func waitForLine(containing text: String, timeout: Duration = .seconds(20)) async throws -> String {
        try await waitFor("a line containing '\(text)'", timeout: timeout) { lines.first { $0.contains(text) } }
    }

    /// Waits until a line that contains every one of `texts` has been printed; returns it.
    @discardableResult
    public func waitForLine(containingAll texts: [String], timeout: Duration = .seconds(20)) async throws -> String {
        try await waitFor("a line containing all of \(texts)", timeout: timeout) {
            lines.first { line in texts.allSatisfy { line.contains($0) } }
        }
    }

    /// Waits until `condition`, about the process or what it does, holds (see `waitFor`).
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool
    ) async throws {
        _ = try await waitFor(what, timeout: timeout) { try await condition() ? true : nil }
    }

    /// Waits until `look` finds `what` while the process lives: a process that has ended, and
    /// whose output has all been read, will print nothing more nor do anything more, so the wait
    /// fails then, at once, instead of at the deadline (after a last look, as `poll` does). The
    /// failure gives the exit status and the output's last lines. (A child it left running is
    /// not waited for.)
    public func waitFor<T>(
        _ what: String, timeout: Duration = .seconds(20), _ look: () async throws -> T?
    ) async throws -> T {
        let outcome = try await poll(timeout: timeout) { () async throws -> Watch<T>? in
            // Before looking: a look after both sees everything the process printed.
            let finished = end.flatMap { allRead ? $0 : nil }
            if let found = try await look() { return .found(found) }
            return finished.map {
                .ended($0.bySignal ? "was killed by signal \($0.status)" : "exited with status \($0.status)")
            }
        }
        switch outcome {
        case .found(let value): return value
        case .ended(let ending):
            throw ErlangTools.Failure(description: "no \(what): the process \(ending)\(outputTail)")
        case nil: throw ErlangTools.Failure(description: "no \(what) within \(timeout)\(outputTail)")
        }
    }

    /// Whether the lines hold all the process wrote, once it has ended. Not the end of the
    /// output, which comes only once every process holding the pipe's writing end has closed it:
    /// a child spawned meanwhile by another thread of this test process may have inherited it.
    private var allRead: Bool { output.isDrained(reader.fileDescriptor) }

    private var outputTail: String {
        let lines = lines
        let left = lines.count > 40 ? " (the last 40 of \(lines.count) lines)" : ""
        return "; output\(left):\n\(lines.suffix(40).joined(separator: "\n"))"
    }

    /// Sends `signal` (SIGSTOP freezes, SIGCONT thaws, SIGKILL kills).
    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// SIGSTOP, and waits until every thread of the process has stopped. kill() returns before
    /// that: the kernel stops the threads one after the other as each gets a CPU, so on a busy
    /// machine a BEAM scheduler thread can still answer a message sent after kill() returned.
    public func freeze(timeout: Duration = .seconds(20)) async throws {
        signal(SIGSTOP)
        let pid = process.processIdentifier
        let stopped = try await poll(timeout: timeout, every: .milliseconds(5)) {
            Self.allThreadsStopped(pid) ? true : nil
        }
        guard stopped != nil else {
            throw ErlangTools.Failure(description: "process \(pid) not stopped within \(timeout) of SIGSTOP")
        }
    }

    /// SIGCONT: the process runs again.
    public func thaw() { signal(SIGCONT) }

    /// Whether each thread in /proc/PID/task is in state T (stopped), as a group stop leaves them.
    static func allThreadsStopped(_ pid: Int32) -> Bool {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"),
            !threads.isEmpty
        else { return false }
        return threads.allSatisfy { thread in
            // "tid (comm) S ...": the state follows the last ')', as comm may hold any character.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "T"
        }
    }

    /// Waits up to `timeout` for the process to end by itself; returns its exit status, or nil
    /// when it is still running at a last look after the deadline. Once it has ended, `lines`
    /// holds all it printed: the reading thread takes its last output a moment after the exit.
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32? {
        let status = try await poll(timeout: timeout) { end?.status }
        if status != nil { _ = try await poll(timeout: .seconds(5), every: .milliseconds(2)) { allRead ? true : nil } }
        return status
    }

    /// Stops the process and whatever it started (a script's children would outlive it), and
    /// waits up to ten seconds for it to end (as the kernel tells, see `end`), so that a process
    /// that cannot be stopped fails the test instead of hanging it. The wait suspends; it blocks
    /// no thread.
    public func stop() async {
        stopNow()
        _ = try? await poll(timeout: .seconds(10)) { isRunning ? nil : true }
    }

    /// Kills the process and whatever it started, without waiting for them to end: for `deinit`
    /// and `defer`, which cannot wait without blocking the thread they run on (often one of the
    /// cooperative pool's). `afterwards` (removing the files it used) runs on a thread of its own
    /// once the process has ended, or after ten seconds.
    public func stopNow(afterwards: (@Sendable () -> Void)? = nil) {
        if process.isRunning {
            let family = ProcessTree.descendants(of: process.processIdentifier)
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
            for pid in family { kill(pid, SIGKILL) }
        }
        guard let afterwards else { return }
        Thread { [process] in
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }  // Not a pool thread.
            afterwards()
        }.start()
    }

    deinit {
        stopNow()
    }
}

/// What `BackgroundProcess.waitFor` found: the value, or the process's end (how it ended).
private enum Watch<T> {
    case found(T)
    case ended(String)
}

/// Output split into lines as it arrives from the reading thread, each with the moment it came.
private final class LineBuffer: Sendable {
    private struct State {
        var pending = ""
        var lines: [String] = []
        var moments: [ContinuousClock.Instant] = []
        /// Reads taken out of the pipe and not yet split into lines.
        var reading = 0
        var ended = false
    }

    private let state = Mutex(State())

    /// Takes one read of the reading thread; no data is the end of the output (every holder of
    /// the pipe's writing end has closed it).
    func read(_ take: () -> Data) {
        state.withLock { $0.reading += 1 }
        let data = take()
        let text = String(decoding: data, as: UTF8.self)
        let now = ContinuousClock.now
        state.withLock { state in
            state.reading -= 1
            state.pending += text
            while let newline = state.pending.firstIndex(of: "\n") {
                state.lines.append(String(state.pending[..<newline]))
                state.moments.append(now)
                state.pending.removeSubrange(...newline)
            }
            guard data.isEmpty, !state.ended else { return }
            // A last line without its newline is a line all the same.
            if !state.pending.isEmpty {
                state.lines.append(state.pending)
                state.moments.append(now)
                state.pending = ""
            }
            state.ended = true
        }
    }

    var lines: [String] { state.withLock { $0.lines } }

    /// Whether everything written to the pipe so far is in `lines`: the pipe (`descriptor`, its
    /// reading end) holds nothing, and no read taken out of it is still being split.
    func isDrained(_ descriptor: Int32) -> Bool {
        var waiting: Int32 = 0
        // The pipe first: a read that empties it after this is counted in `reading` by then.
        let asked = ioctl(descriptor, UInt(FIONREAD), &waiting)
        return state.withLock { $0.ended || (asked == 0 && waiting == 0 && $0.reading == 0) }
    }

    func moment(ofFirstLineContaining text: String) -> ContinuousClock.Instant? {
        state.withLock { state in state.lines.firstIndex { $0.contains(text) }.map { state.moments[$0] } }
    }
}

/// The process tree from /proc, to find what a process started.
enum ProcessTree {
    static func descendants(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let parent = parentID(of: pid) else { continue }
            children[parent, default: []].append(pid)
        }
        var found: [Int32] = []
        var pending = children[root] ?? []
        while let next = pending.popLast() {
            found.append(next)
            pending += children[next] ?? []
        }
        return found
    }

    /// The fourth field of /proc/pid/stat, after the command name in parentheses (which may
    /// itself hold spaces and parentheses, hence the last ")").
    private static func parentID(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }
}
