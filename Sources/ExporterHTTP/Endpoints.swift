import HTTPTypes
import Hummingbird

/// The routes: the telemetry path, the landing page, health, readiness and reload. HEAD is
/// answered for each GET with the GET headers and no body.
enum Endpoints {
    static func router(
        telemetryPath: String, sources: ExporterHTTPSources, telemetry: TelemetryEndpoint, enableLifecycle: Bool,
        middleware: WebMiddleware
    ) -> Router<WebRequestContext> {
        let router = Router(context: WebRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: middleware)
        router.get(RouterPath(telemetryPath)) { request, _ in
            try await telemetry.respond(to: request)
        }
        router.get(RouterPath(ReservedPath.landingPage)) { _, _ in
            text(LandingPage.html(sources.status(), telemetryPath: telemetryPath), type: "text/html; charset=utf-8")
        }
        router.get(RouterPath(ReservedPath.healthy)) { _, _ in
            text("OK\n")
        }
        router.get(RouterPath(ReservedPath.ready)) { _, _ in
            switch sources.readiness() {
            case .ready: text("OK\n")
            case .notReady(let reason): text("Not ready: \(reason)\n", status: .serviceUnavailable)
            }
        }
        // As Prometheus: POST or PUT, refused unless the lifecycle API is enabled.
        for method in [HTTPRequest.Method.post, .put] {
            router.on(RouterPath(ReservedPath.reload), method: method) { _, _ in
                guard enableLifecycle else {
                    return text(
                        "Lifecycle API is not enabled (start with \(sources.settingNames(.enableLifecycle))).\n",
                        status: .forbidden)
                }
                do {
                    try await sources.reload()
                    return text("OK\n")
                } catch {
                    return text("failed to reload config: \(error)\n", status: .internalServerError)
                }
            }
        }
        router.get(RouterPath(ReservedPath.reload)) { _, _ in
            var response = text("Only POST or PUT requests allowed.\n", status: .methodNotAllowed)
            response.headers[.allow] = "POST, PUT"
            return response
        }
        return router
    }

    static func text(
        _ body: String, type: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok
    ) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
