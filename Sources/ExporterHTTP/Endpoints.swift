import HTTPTypes
import Hummingbird

/// The routes: the telemetry path, the landing page, health and readiness. HEAD is answered
/// for each with the GET headers and no body.
enum Endpoints {
    static func router(
        telemetryPath: String, sources: ExporterHTTPSources, telemetry: TelemetryEndpoint,
        middleware: WebMiddleware<BasicRequestContext>
    ) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: middleware)
        router.get(RouterPath(telemetryPath)) { request, _ in
            await telemetry.respond(to: request)
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
        return router
    }

    static func text(
        _ body: String, type: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok
    ) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
