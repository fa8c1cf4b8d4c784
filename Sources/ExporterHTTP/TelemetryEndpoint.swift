import HTTPTypes
import Hummingbird
import Metrics
import MetricsStore
import NIOCore

/// The telemetry path: the exposition in the negotiated format, gzipped when the scraper accepts
/// that, rendered by `SharedRender` (timed per render, not per scrape that shared it).
struct TelemetryEndpoint: Sendable {
    let renders: SharedRender

    static let durationLabel = HTTPFamilies.scrapeDuration.name

    init(render: @escaping @Sendable (ExpositionFormat) -> [UInt8], metrics: any MetricsFactory) {
        let timers = Dictionary(
            uniqueKeysWithValues: ExpositionFormat.allCases.map { format in
                (
                    format,
                    Timer(label: Self.durationLabel, dimensions: [("format", format.metricLabel)], factory: metrics)
                )
            })
        renders = SharedRender(render: render, renderTimers: timers)
    }

    func respond(to request: Request) async throws -> Response {
        let format = ContentNegotiation.format(accept: request.headers[values: .accept].joined(separator: ","))
        let gzip = ContentNegotiation.acceptsGzip(request.headers[values: .acceptEncoding].joined(separator: ","))
        let body = try await renders.body(format, gzip: gzip)
        var headers: HTTPFields = [.contentType: format.contentType, .vary: "Accept, Accept-Encoding"]
        if body.gzipped { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body.bytes))
    }
}
