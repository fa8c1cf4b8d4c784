import CompressNIO
import HTTPTypes
import Hummingbird
import Metrics
import MetricsStore
import NIOCore

/// The telemetry path: renders the exposition in the negotiated format, times the render, and
/// gzips it when the scraper accepts that.
struct TelemetryEndpoint: Sendable {
    let render: @Sendable (ExpositionFormat) async -> [UInt8]
    let renderTimers: [ExpositionFormat: Timer]

    static let durationLabel = "exesdb_exporter_scrape_duration_seconds"

    init(render: @escaping @Sendable (ExpositionFormat) async -> [UInt8], metrics: any MetricsFactory) {
        self.render = render
        renderTimers = Dictionary(
            uniqueKeysWithValues: ExpositionFormat.allCases.map { format in
                (
                    format,
                    Timer(label: Self.durationLabel, dimensions: [("format", format.metricLabel)], factory: metrics)
                )
            })
    }

    func respond(to request: Request) async -> Response {
        let format = ContentNegotiation.format(accept: request.headers[values: .accept].joined(separator: ","))
        let started = ContinuousClock.now
        let body = await render(format)
        renderTimers[format]?.record(duration: ContinuousClock.now - started)

        var headers: HTTPFields = [.contentType: format.contentType, .vary: "Accept, Accept-Encoding"]
        var buffer = ByteBuffer(bytes: body)
        if ContentNegotiation.acceptsGzip(request.headers[values: .acceptEncoding].joined(separator: ",")),
            let compressed = Self.gzip(&buffer)
        {
            buffer = compressed
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// The fastest level: a scrape is latency-bound, and level 1 already shrinks the repetitive
    /// exposition text by about ten times.
    private static func gzip(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        let original = buffer
        do {
            return try buffer.compress(with: .gzip(configuration: .init(compressionLevel: .fastestCompression)))
        } catch {
            buffer = original
            return nil
        }
    }
}
