import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Applies the web configuration in force to every request, unknown paths included (as
/// exporter-toolkit does): basic auth when users are configured, then the extra headers. An
/// address that fails to log in too often is answered 429 without its password being checked.
struct WebMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    let webConfiguration: LiveWebConfiguration
    let rejections: HTTPRejections
    let limiter: FailedLoginLimiter
    let limitLog: LimitedClientsLog

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let loaded = webConfiguration.loaded
        var response: Response
        let verdict = await loaded.authenticator?.verdict(
            authorization: request.headers[.authorization], client: context.remoteAddress, limiter: limiter)
        switch verdict {
        case nil, .accepted:
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            }
        case .refused(let attempted):
            rejections.unauthorized.increment()
            if attempted, case .limited = limiter.admission(context.remoteAddress) {
                limitLog.limited(context.remoteAddress)
            }
            response = Self.text(
                "Unauthorized\n", status: .unauthorized, headers: [.wwwAuthenticate: "Basic"])
        case .limited(let seconds):
            rejections.rateLimited.increment()
            response = Self.text(
                "Too many failed logins from this address; try again later\n", status: .tooManyRequests,
                headers: [.retryAfter: "\(seconds)"])
        }
        for (name, value) in loaded.headers {
            response.headers[name] = value
        }
        return response
    }

    private static func text(_ body: String, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Says when client addresses start being limited for failed logins: once per address as it
/// starts, at most one line a minute (an attacker with many addresses is counted, not logged
/// line by line).
final class LimitedClientsLog: Sendable {
    private let logger: Logger
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(logger: Logger) { self.logger = logger }

    func limited(_ client: SocketAddress?) {
        let now = ContinuousClock.now
        let due = last.withLock { last in
            guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        logger.warning(
            "too many failed basic-auth logins from a client: its attempts are refused (429) without a password check until it slows down; counted in exesdb_exporter_http_rejected_total{reason=\"rate_limited\"}",
            metadata: ["client": "\(client?.ipAddress ?? "?")"])
    }
}
