import BEAMPeers
import ExporterHTTP
import Synchronization
import Testing

/// `POST /-/reload`, off unless `--web.enable-lifecycle`, as Prometheus has it.
@Suite(.serialized) struct LifecycleTests {
    struct ReloadRefused: Error, CustomStringConvertible {
        var description: String { "config file x.yml: metrics.ttl: expected a duration" }
    }

    @Test func reloadIsRefusedUnlessTheLifecycleAPIIsEnabled() async throws {
        let reloads = Mutex(0)
        let sources = CannedSources().sources(reload: { reloads.withLock { $0 += 1 } })
        try await withServer(sources) { running in
            let refused = try await curl(running.url("/-/reload"), ["-X", "POST"])
            #expect(refused.status == 403)
            #expect(refused.text.contains("start with \(ExporterHTTPSetting.enableLifecycle)"), "it names the setting")
            #expect(reloads.withLock { $0 } == 0)
        }
    }

    @Test func postAndPutReloadGetIsNotAllowed() async throws {
        let fail = Mutex(false)
        let reloads = Mutex(0)
        let sources = CannedSources().sources(reload: {
            reloads.withLock { $0 += 1 }
            if fail.withLock({ $0 }) { throw ReloadRefused() }
        })
        try await withServer(sources, enableLifecycle: true) { running in
            let url = running.url("/-/reload")
            #expect(try await curl(url, ["-X", "POST"]).status == 200)
            #expect(try await curl(url, ["-X", "PUT"]).status == 200)
            #expect(reloads.withLock { $0 } == 2)
            let get = try await curl(url)
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST, PUT")
            fail.withLock { $0 = true }
            let failed = try await curl(url, ["-X", "POST"])
            #expect(failed.status == 500)
            #expect(failed.text == "failed to reload config: \(ReloadRefused())\n")
        }
    }
}
