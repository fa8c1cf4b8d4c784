import ExporterConfiguration
import Foundation
import Testing
import WebhookForwarder
import Yams

/// The `webhooks:` section decoded the way the config file loader decodes it.
@Suite struct ConfigurationTests {
    func decode(_ yaml: String) throws -> WebhookConfiguration {
        try YAMLDecoder().decode(WebhookConfiguration.self, from: yaml)
    }

    /// The webhook harness reads its configuration as JSON, whose numbers are no text: they are
    /// integers all the same (text-only reading broke every kill -9 test).
    @Test func jsonNumbersAreIntegers() throws {
        let json = #"{"endpoints": [{"name": "a", "url": "http://x", "format": "json", "max_in_flight": 8}]}"#
        let configuration = try JSONDecoder().decode(WebhookConfiguration.self, from: Data(json.utf8))
        #expect(configuration.endpoints.first?.maxInFlight == 8)
    }

    /// The message the loader shows for a configuration that does not decode.
    func message(_ yaml: String) -> String {
        do {
            _ = try decode(yaml)
            return "decoded"
        } catch let error as DecodingError {
            return error.configurationMessage()
        } catch {
            return "\(error)"
        }
    }

    @Test func everyKeyOfTheSectionDecodes() throws {
        let configuration = try decode(
            """
            spool_dir: /var/lib/exesdb_exporter/spool
            dedup_window: 2m
            alert_cache_ttl: 12h
            alert_cache_size: 500
            external_url: https://exporter.example:9571
            endpoints:
              - name: oncall
                url: https://hooks.example.internal/exesdb
                format: alertmanager
                events: [alert_escalated, security_alert]
                to_levels: [level2, level3]
                min_severity: error
                headers: {X-Team: storage}
                bearer_token_file: /etc/exesdb_exporter/oncall.token
                hmac_secret_file: /etc/exesdb_exporter/oncall.hmac
                timeout: 500ms
                tls: {ca_file: /etc/ca.pem, cert_file: /etc/c.pem, key_file: /etc/c.key, insecure_skip_verify: false}
                max_attempts: 12
                max_age: 1h30m
                max_in_flight: 8
                min_backoff: 200ms
                max_backoff: 30s
                resolve_timeout: 2d
              - name: am
                url: http://alertmanager:9093
                format: alertmanager_api
                basic_auth: {username: exporter, password_file: /etc/am.password}
            """)
        #expect(configuration.spoolDirectory == "/var/lib/exesdb_exporter/spool")
        #expect(configuration.dedupWindow == .seconds(120))
        #expect(configuration.alertCacheTTL == .seconds(12 * 3600))
        #expect(configuration.alertCacheSize == 500)
        #expect(configuration.externalURL == "https://exporter.example:9571")
        let oncall = try #require(configuration.endpoints.first)
        #expect(oncall.name == "oncall")
        #expect(oncall.format == .alertmanager)
        #expect(oncall.events == [.alertEscalated, .securityAlert])
        #expect(oncall.toLevels == ["level2", "level3"])
        #expect(oncall.minSeverity == .error)
        #expect(oncall.headers == ["X-Team": "storage"])
        #expect(oncall.bearerTokenFile == "/etc/exesdb_exporter/oncall.token")
        #expect(oncall.hmacSecretFile == "/etc/exesdb_exporter/oncall.hmac")
        #expect(oncall.timeout == .milliseconds(500))
        #expect(
            oncall.tls
                == EndpointTLSConfiguration(caFile: "/etc/ca.pem", certFile: "/etc/c.pem", keyFile: "/etc/c.key"))
        #expect(oncall.maxAttempts == 12)
        #expect(oncall.maxAge == .seconds(5400))
        #expect(oncall.maxInFlight == 8)
        #expect(oncall.minBackoff == .milliseconds(200))
        #expect(oncall.maxBackoff == .seconds(30))
        #expect(oncall.resolveTimeout == .seconds(2 * 86_400))
        let alertmanager = configuration.endpoints[1]
        #expect(alertmanager.format == .alertmanagerAPI)
        #expect(alertmanager.events == [.alertEscalated], "escalations only unless events says otherwise")
        #expect(
            alertmanager.basicAuth == BasicAuthConfiguration(username: "exporter", passwordFile: "/etc/am.password"))
        #expect(alertmanager.timeout == .seconds(10), "the default")
        #expect(alertmanager.maxAttempts == 0, "no limit by default: max_age bounds the retries")
    }

    @Test func defaultsWithoutTheOptionalKeys() throws {
        let configuration = try decode("endpoints: []")
        #expect(configuration == WebhookConfiguration())
        #expect(configuration.spoolDirectory == "data/webhook-spool")
    }

    @Test func unknownKeysAreErrorsNamingTheKeyPath() {
        #expect(message("spool_directory: /x").hasPrefix("webhooks.spool_directory: unknown key \"spool_directory\""))
        #expect(
            message("endpoints: [{name: a, url: 'http://x', format: json, retries: 3}]")
                .hasPrefix("webhooks.endpoints[0].retries: unknown key \"retries\"; expected one of: name, url"))
        #expect(
            message("endpoints: [{name: a, url: 'https://x', format: json, tls: {ca: /x}}]")
                .hasPrefix("webhooks.endpoints[0].tls.ca: unknown key \"ca\""))
        #expect(
            message("endpoints: [{name: a, url: 'http://x', format: json, basic_auth: {username: u, password: p}}]")
                .hasPrefix("webhooks.endpoints[0].basic_auth.password: unknown key"))
    }

    @Test func anUnusableExternalURLIsNotEchoed() {
        let text = message("external_url: 'exporter.example/?token=s3cr3t'\nendpoints: []")
        #expect(text.hasPrefix("webhooks.external_url: invalid value"), "\(text)")
        #expect(!text.contains("s3cr3t"), "\(text)")
    }

    @Test func invalidValuesNameTheKeyTheValueAndWhatIsExpected() {
        let cases: [(String, String)] = [
            (
                "endpoints: [{name: a, url: 'http://x', format: slack}]",
                "webhooks.endpoints[0].format: invalid value \"slack\": expected alertmanager, alertmanager_api or json"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, timeout: 5x}]",
                "webhooks.endpoints[0].timeout: invalid value \"5x\": expected a duration such as 500ms, 5s, 5m or 1h"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, timeout: 0s}]",
                "webhooks.endpoints[0].timeout: invalid value \"0s\": expected at least 1ms"
            ),
            (
                "endpoints: [{name: a, url: 'ftp://x/y', format: json}]",
                "webhooks.endpoints[0].url: invalid value of endpoint \"a\" (not shown: it may hold a token), which has a scheme other than http or https: expected an http:// or https:// URL with a host"
            ),
            (
                "external_url: 'ftp://exporter/?token=s3cr3t'\nendpoints: []",
                "webhooks.external_url: invalid value (not shown: it may hold a token), which has a scheme other than http or https: expected an http:// or https:// URL"
            ),
            (
                "endpoints: [{name: a, url: 'http://u:p@x/', format: json}]",
                "webhooks.endpoints[0].url: invalid value with a user or password: expected a URL without credentials"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, to_levels: [level4]}]",
                "webhooks.endpoints[0].to_levels: invalid value \"level4\": expected level1, level2 or level3"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, events: [alert_escalated, login]}]",
                "webhooks.endpoints[0].events: invalid value \"login\": expected alert_escalated or security_alert"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, events: []}]",
                "webhooks.endpoints[0].events: invalid value []: expected at least one event"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, min_severity: fatal}]",
                "webhooks.endpoints[0].min_severity: invalid value \"fatal\": expected info, warning, error or critical"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, max_in_flight: 0}]",
                "webhooks.endpoints[0].max_in_flight: invalid value 0: expected an integer from 1 to 1024"
            ),
            (
                // YAML 1.1's base 60, overflowing: Yams's own Int reading traps on it (found by fuzzing).
                "endpoints: [{name: a, url: 'http://x', format: json, max_in_flight: -99998999999:999999999989999999:9}]",
                "webhooks.endpoints[0].max_in_flight: expected an integer"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, min_backoff: 10s, max_backoff: 1s}]",
                "webhooks.endpoints[0].max_backoff: invalid value \"1s\": expected at least min_backoff (10s)"
            ),
            (
                "endpoints: [{name: 'on call', url: 'http://x', format: json}]",
                "webhooks.endpoints[0].name: invalid value \"on call\": expected letters, digits"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json}, {name: a, url: 'http://y', format: json}]",
                "webhooks.endpoints[1].name: invalid value \"a\": expected a name no other endpoint has (endpoints[0] has it)"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, headers: {Idempotency-Key: x}}]",
                "webhooks.endpoints[0].headers: invalid value \"Idempotency-Key\": expected a header the forwarder does not set itself"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, bearer_token_file: /t, basic_auth: {username: u, password_file: /p}}]",
                "webhooks.endpoints[0].basic_auth: invalid value set together with bearer_token_file"
            ),
            (
                "endpoints: [{name: a, url: 'https://x', format: json, tls: {cert_file: /c}}]",
                "webhooks.endpoints[0].tls.key_file: invalid value missing: expected cert_file and key_file together"
            ),
            (
                "endpoints: [{name: a, url: 'http://x', format: json, tls: {ca_file: /c}}]",
                "webhooks.endpoints[0].tls: invalid value set for an http:// url"
            ),
            (
                "endpoints: [{url: 'http://x', format: json}]",
                "webhooks.endpoints[0].name: the key \"name\" is required"
            ),
            ("dedup_window: 5", "webhooks.dedup_window: invalid value \"5\": expected a duration"),
        ]
        for (yaml, expected) in cases {
            let text = message(yaml)
            #expect(text.hasPrefix(expected), "\(yaml)\n  gave: \(text)")
        }
    }

    @Test func headerValuesAreNeverQuotedInErrors() {
        let text = message(
            "endpoints: [{name: a, url: 'http://x', format: json, headers: {X-Token: \"s3cret\\nInjected: 1\"}}]")
        #expect(text.contains("webhooks.endpoints[0].headers"))
        #expect(!text.contains("s3cret"))
    }

    /// The section reads durations with the config file's one grammar (`PrometheusDuration`).
    @Test func durationsReadTheConfigFilesGrammar() {
        for text in ["1m5m", "30m1h", "1s1s", "5", "1.5s"] {
            let text = message("endpoints: [{name: a, url: 'http://x', format: json, timeout: \"\(text)\"}]")
            #expect(text.contains("webhooks.endpoints[0].timeout"), "\(text)")
            #expect(text.contains(PrometheusDuration.expected), "\(text)")
        }
    }

    @Test func secretFilesAreReadAtStartupAndErrorsNameTheFileNotTheSecret() throws {
        let setup = try ForwarderSetup()
        var missing = endpoint("a", "http://127.0.0.1:1")
        missing.hmacSecretFile = "\(setup.directory)/absent.hmac"
        #expect(throws: WebhookSetupError.self) { try setup.forwarder([missing]) }
        do {
            _ = try setup.forwarder([missing])
        } catch let error as WebhookSetupError {
            #expect(
                error.description
                    == "webhooks.endpoints[0].hmac_secret_file: the file \(setup.directory)/absent.hmac does not exist")
        }
        var empty = endpoint("a", "http://127.0.0.1:1")
        empty.bearerTokenFile = try setup.secret("empty.token", "")
        do {
            _ = try setup.forwarder([empty])
            Issue.record("an empty token file must be refused")
        } catch let error as WebhookSetupError {
            #expect(error.keyPath == "webhooks.endpoints[0].bearer_token_file")
            #expect(error.message.contains("is empty"))
        }
    }
}
