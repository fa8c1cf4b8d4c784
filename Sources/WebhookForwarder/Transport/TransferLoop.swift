import CCurl
import CurlShim

/// The transport thread's side: easy handles, the transfers in flight, and libcurl's loop.
/// Confined to that thread, so it needs no locks.
final class TransferLoop {
    private let multi: UnsafeMutableRawPointer
    private var inFlight: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idle: [UnsafeMutableRawPointer] = []

    private struct Transfer {
        let continuation: CheckedContinuation<TransportResult, Never>
        let headers: UnsafeMutablePointer<curl_slist>?
        let response: UnsafeMutablePointer<exesdb_curl_response>
    }

    init(multi: UnsafeMutableRawPointer) {
        self.multi = multi
        // Keep connections to every endpoint open between deliveries.
        exesdb_curl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, 256)
        exesdb_curl_multi_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    func run(shared transport: CurlTransport) {
        while true {
            let (submissions, stopping) = transport.takeSubmissions()
            if stopping {
                for submission in submissions {
                    submission.continuation.resume(returning: TransportResult(outcome: .cancelled, seconds: 0))
                }
                break
            }
            for submission in submissions { begin(submission) }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            finishDone()
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        cancelAll()
        for easy in idle { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
    }

    private func begin(_ submission: CurlTransport.Submission) {
        guard let easy = idle.popLast() ?? curl_easy_init() else {
            submission.continuation.resume(
                returning: TransportResult(outcome: .failure(code: -1, message: "curl_easy_init failed"), seconds: 0))
            return
        }
        let response = UnsafeMutablePointer<exesdb_curl_response>.allocate(capacity: 1)
        let headers = EasyRequest.configure(easy, submission.request, response: response)
        let transfer = Transfer(continuation: submission.continuation, headers: headers, response: response)
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            release(easy, transfer, added: false)
            let message = String(cString: curl_multi_strerror(added))
            transfer.continuation.resume(
                returning: TransportResult(outcome: .failure(code: -Int(added.rawValue), message: message), seconds: 0))
            return
        }
        inFlight[easy] = transfer
    }

    private func finishDone() {
        var easy: UnsafeMutableRawPointer?
        var code = CURLE_OK
        while exesdb_curl_next_done(multi, &easy, &code) == 1 {
            guard let easy, let transfer = inFlight.removeValue(forKey: easy) else { continue }
            let result = TransportResult(
                outcome: EasyRequest.outcome(easy, code: code, response: transfer.response.pointee),
                seconds: exesdb_curl_total_seconds(easy))
            release(easy, transfer)
            transfer.continuation.resume(returning: result)
        }
    }

    private func release(_ easy: UnsafeMutableRawPointer, _ transfer: Transfer, added: Bool = true) {
        if added { curl_multi_remove_handle(multi, easy) }
        curl_slist_free_all(transfer.headers)
        transfer.response.deallocate()
        curl_easy_reset(easy)
        idle.append(easy)
    }

    private func cancelAll() {
        for (easy, transfer) in inFlight {
            release(easy, transfer)
            transfer.continuation.resume(returning: TransportResult(outcome: .cancelled, seconds: 0))
        }
        inFlight = [:]
    }
}
