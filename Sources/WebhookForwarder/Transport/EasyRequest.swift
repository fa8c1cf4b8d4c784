import CCurl
import CurlShim

/// Sets up one easy handle for a request, and reads how it ended.
enum EasyRequest {
    /// Returns the header list, which must outlive the transfer.
    static func configure(
        _ easy: UnsafeMutableRawPointer, _ request: TransportRequest,
        response: UnsafeMutablePointer<exesdb_curl_response>
    ) -> UnsafeMutablePointer<curl_slist>? {
        exesdb_curl_capture_response(easy, response)
        exesdb_curl_set_string(easy, CURLOPT_URL, request.url)
        exesdb_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        exesdb_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        exesdb_curl_set_long(easy, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        exesdb_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.timeout))
        exesdb_curl_set_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        if request.url.lowercased().hasPrefix("https:") { exesdb_curl_set_long(easy, CURLOPT_PIPEWAIT, 1) }
        request.body.withUnsafeBytes { body in
            _ = exesdb_curl_set_post_body(easy, body.baseAddress, request.body.count)
        }
        configureTLS(easy, request.tls)
        var headers: UnsafeMutablePointer<curl_slist>?
        // "Expect:" keeps libcurl from waiting for a 100 Continue before sending larger bodies.
        for line in request.headers + ["Expect:"] { headers = curl_slist_append(headers, line) }
        exesdb_curl_set_headers(easy, headers)
        return headers
    }

    private static func configureTLS(_ easy: UnsafeMutableRawPointer, _ tls: EndpointTLSConfiguration) {
        if let caFile = tls.caFile { exesdb_curl_set_string(easy, CURLOPT_CAINFO, caFile) }
        if let certFile = tls.certFile { exesdb_curl_set_string(easy, CURLOPT_SSLCERT, certFile) }
        if let keyFile = tls.keyFile { exesdb_curl_set_string(easy, CURLOPT_SSLKEY, keyFile) }
        let verify = tls.insecureSkipVerify ? 0 : 1
        exesdb_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, verify)
        exesdb_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, verify == 1 ? 2 : 0)
    }

    static func outcome(
        _ easy: UnsafeMutableRawPointer, code: CURLcode, response: exesdb_curl_response
    )
        -> TransportOutcome
    {
        guard code == CURLE_OK else {
            let detail = text(response.error, length: nil)
            let summary = String(cString: curl_easy_strerror(code))
            return .failure(code: Int(code.rawValue), message: detail.isEmpty ? summary : detail)
        }
        let retryAfter = text(response.retry_after, length: response.retry_after_length)
        return .response(
            status: exesdb_curl_response_code(easy), retryAfter: retryAfter.isEmpty ? nil : retryAfter,
            bodyPrefix: text(response.body, length: response.body_length))
    }

    /// A fixed C array of chars as text: `length` bytes, or up to the first NUL.
    private static func text<T>(_ tuple: T, length: Int?) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix(length ?? raw.firstIndex(of: 0) ?? raw.count)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
