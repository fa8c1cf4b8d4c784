import MetricsStore
import Testing

@testable import ExporterHTTP

@Suite struct ContentNegotiationTests {
    @Test(arguments: [
        (EndpointTests.prometheusAccept, ExpositionFormat.openMetrics),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("APPLICATION/OpenMetrics-Text;Version=\"1.0.0\"", .openMetrics),
        ("text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.6", .openMetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.3,text/plain;q=0.5", .prometheusText),
        ("application/openmetrics-text;version=1.0.0;q=0", .prometheusText),
        ("application/openmetrics-text;version=0.0.1", .prometheusText),
        ("application/openmetrics-text;version=2.0.0,*/*", .prometheusText),
        ("application/json,application/openmetrics-text;q=0.9", .openMetrics),
        ("text/plain;version=0.0.4,application/openmetrics-text", .prometheusText),
        ("application/openmetrics-text;q=abc", .prometheusText),
        ("", .prometheusText),
        (",,;;", .prometheusText),
    ])
    func format(accept: String, expected: ExpositionFormat) {
        #expect(ContentNegotiation.format(accept: accept) == expected)
    }

    @Test(arguments: [
        ("gzip", true), ("GZIP", true), ("deflate, gzip;q=1.0, *;q=0.5", true), ("x-gzip", true),
        ("gzip;q=0", false), ("identity", false), ("", false), ("*", true), ("*;q=0", false),
        ("gzip;q=0, *", false), ("br;q=1, *;q=0.1", true),
    ])
    func gzip(acceptEncoding: String, expected: Bool) {
        #expect(ContentNegotiation.acceptsGzip(acceptEncoding) == expected)
    }

    @Test func entriesAreOrderedByQualityThenPosition() {
        let names = ContentNegotiation.entries("a;q=0.5, b, c;q=0.5, d;q=1").map(\.name)
        #expect(names == ["b", "d", "a", "c"])
    }
}
