import ErlangDistribution
import ExporterConfiguration
import ExporterHTTP
import WebhookForwarder
import Yams

/// The config file parser (`ConfigFile`, its `webhooks` section, the node names and durations
/// the exporter reads from it). Beyond not crashing: no error quotes a secret (a webhook URL or
/// header value); every duration read prints (as the exporter's messages print it) and reads
/// back the same; a node name `NodeNameSyntax` accepts is one the distribution can use.
final class ConfigTarget: FuzzTarget {
    func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let secrets = Secrets(yaml: text) { path in
            // webhooks.endpoints[i].url and webhooks.endpoints[i].headers.<name>
            (path.count == 4 && path[0] == "webhooks" && path[1] == "endpoints" && path[3] == "url")
                || (path.count == 5 && path[0] == "webhooks" && path[1] == "endpoints" && path[3] == "headers")
        }
        let file: ConfigFile
        do {
            file = try ConfigFile.parse(text, path: "fuzz.yml")
        } catch {
            secrets.requireNone(in: error.description)
            return
        }
        do {
            _ = try file.section("webhooks", as: WebhookConfiguration.self)
        } catch {
            secrets.requireNone(in: error.description)
        }
        for duration in Self.durations(in: file.settings) {
            let printed = duration.description
            if let back = ConfigDuration.parse(printed) {
                require(
                    back == duration.duration, "\(duration.duration) prints as \(printed), which reads back \(back)")
            }
        }
        let erlang = file.settings.erlang
        for name in (erlang?.nodes ?? []) + [erlang?.name].compactMap({ $0 })
        where NodeNameSyntax.problem(in: name) == nil {
            require(
                (try? NodeName(parsing: name)) != nil, "NodeNameSyntax accepts \(name), NodeName(parsing:) refuses it")
        }
    }

    /// Every `ConfigDuration` in the settings, wherever it is.
    static func durations(in value: Any) -> [ConfigDuration] {
        if let duration = value as? ConfigDuration { return [duration] }
        return Mirror(reflecting: value).children.flatMap { durations(in: $0.value) }
    }
}

/// The web config parser (`WebConfiguration(yaml:directory:)` and `validate()`). Beyond not
/// crashing: no error quotes a secret (a basic-auth hash or an inline private key).
final class WebConfigTarget: FuzzTarget {
    func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let secrets = Secrets(yaml: text) { path in
            (path.count == 2 && path[0] == "basic_auth_users")
                || (path.count == 2 && path[0] == "tls_server_config" && path[1] == "key")
        }
        do throws(WebConfigurationError) {
            let configuration = try WebConfiguration(yaml: text, directory: "/nonexistent")
            try configuration.validate()
        } catch {
            secrets.requireNone(in: error.description)
        }
    }
}

/// The values of a YAML document that are secrets (by their key path), as the harness reads them
/// with Yams itself. A secret is looked for in error messages only when it holds the marker
/// `Zq7xK` (which the seeds put in every secret, and no fixed text of the product holds) and no
/// key or other value holds it too, since those may rightly be quoted.
struct Secrets {
    static let marker = "Zq7xK"
    private(set) var values: [String] = []

    init(yaml: String, isSecret: ([String]) -> Bool) {
        guard yaml.contains(Self.marker), let root = try? Yams.compose(yaml: yaml) else { return }
        var secret: [String] = []
        var other: [String] = []
        func visit(_ node: Node, _ path: [String]) {
            switch node {
            case .scalar(let scalar):
                if isSecret(path) { secret.append(scalar.string) } else { other.append(scalar.string) }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? "?"
                    other.append(name)
                    visit(value, path + [name])
                }
            case .sequence(let sequence):
                for (index, element) in sequence.enumerated() { visit(element, path + ["\(index)"]) }
            case .alias: break
            }
        }
        visit(root, [])
        values = secret.filter { value in
            value.contains(Self.marker) && !other.contains { $0.contains(value) }
        }
    }

    func requireNone(in message: String) {
        for value in values {
            require(!message.contains(value), "a secret value (\(value.count) bytes) appears in: \(message)")
        }
    }
}
