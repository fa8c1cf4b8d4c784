import HTTPTypes
import Synchronization

/// The web configuration in force: read at startup, replaced whole by a reload. Connections
/// take the TLS context when they are accepted; requests take the users and headers when they
/// arrive.
final class LiveWebConfiguration: Sendable {
    /// One loaded configuration with everything made from it.
    struct Loaded: Sendable {
        let configuration: WebConfiguration
        let tls: ServerTLS?
        let authenticator: BasicAuthenticator?
        let headers: [(HTTPField.Name, String)]

        init(_ configuration: WebConfiguration) throws(WebConfigurationError) {
            try configuration.validate()
            self.configuration = configuration
            tls = try configuration.tlsServer.map { tls throws(WebConfigurationError) in try ServerTLS(tls) }
            authenticator =
                configuration.basicAuthUsers.isEmpty ? nil : BasicAuthenticator(users: configuration.basicAuthUsers)
            headers = configuration.httpServer.headers.sorted { $0.key < $1.key }.compactMap { name, value in
                HTTPField.Name(name).map { ($0, value) }
            }
        }
    }

    let file: String?
    private let current: Mutex<Loaded>

    /// Loads `file` (nil: no web configuration).
    init(file: String?) throws(WebConfigurationError) {
        self.file = file
        current = Mutex(try Self.load(file))
    }

    var loaded: Loaded { current.withLock { $0 } }

    /// Reads the file again; on any error the configuration in force stays.
    func reload() throws(WebConfigurationError) {
        let loaded = try Self.load(file)
        current.withLock { $0 = loaded }
    }

    private static func load(_ file: String?) throws(WebConfigurationError) -> Loaded {
        guard let file else { return try Loaded(WebConfiguration()) }
        do throws(WebConfigurationError) {
            return try Loaded(try WebConfiguration.load(fromFile: file))
        } catch {
            throw error.located(file: file)
        }
    }
}
