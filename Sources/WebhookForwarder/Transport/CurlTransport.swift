import CCurl
import CurlShim
import Foundation
import NIOConcurrencyHelpers

/// HTTP POSTs through one libcurl multi handle on a thread of its own: many transfers at once,
/// connections kept alive and reused between them, HTTP/2 where an https server offers it.
///
/// `send` hands a request to the thread and suspends until libcurl finishes it.
final class CurlTransport: Sendable {
    private let shared = NIOLockedValueBox(Shared())
    private let multi: MultiHandle

    private struct Shared {
        var submitted: [Submission] = []
        var stopping = false
        var started = false
    }

    struct Submission: Sendable {
        let request: TransportRequest
        let continuation: CheckedContinuation<TransportResult, Never>
    }

    /// libcurl's multi handle. Only `curl_multi_wakeup` is called from other threads, which
    /// libcurl documents as thread-safe; everything else runs on the transport's own thread.
    struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    init() {
        Self.initializeLibcurl
        // curl_multi_init only fails when out of memory.
        guard let pointer = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        multi = MultiHandle(pointer: pointer)
    }

    private static let initializeLibcurl: Void = { _ = curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// Starts the thread that runs the transfers.
    func start() {
        let alreadyStarted = shared.withLockedValue { state in
            defer { state.started = true }
            return state.started
        }
        guard !alreadyStarted else { return }
        let thread = Thread { [self] in
            TransferLoop(multi: multi.pointer).run(shared: self)
        }
        thread.name = "webhook-transport"
        thread.start()
    }

    func send(_ request: TransportRequest) async -> TransportResult {
        await withCheckedContinuation { continuation in
            let accepted = shared.withLockedValue { state in
                guard !state.stopping else { return false }
                state.submitted.append(Submission(request: request, continuation: continuation))
                return true
            }
            if accepted {
                curl_multi_wakeup(multi.pointer)
            } else {
                continuation.resume(returning: TransportResult(outcome: .cancelled, seconds: 0))
            }
        }
    }

    /// Ends every transfer (their senders get `.cancelled`) and the thread; libcurl's handles
    /// are released by the thread as it leaves.
    func stop() {
        shared.withLockedValue { $0.stopping = true }
        curl_multi_wakeup(multi.pointer)
    }

    /// Called by the transfer loop: new submissions, and whether to stop.
    func takeSubmissions() -> (submissions: [Submission], stopping: Bool) {
        shared.withLockedValue { state in
            defer { state.submitted = [] }
            return (state.submitted, state.stopping)
        }
    }

    /// Whether `stop` was called before `start` ran its loop; its handle is then released here.
    deinit {
        let started = shared.withLockedValue { $0.started }
        if !started { curl_multi_cleanup(multi.pointer) }
    }
}
