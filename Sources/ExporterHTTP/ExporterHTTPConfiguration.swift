/// The HTTP side's flags: `--web.listen-address`, `--web.telemetry-path`, `--web.config.file`,
/// the connection limits and `--web.enable-lifecycle`.
public struct ExporterHTTPConfiguration: Sendable, Equatable {
    /// `--web.listen-address`, repeatable: `host:port`, `:port` (every interface) or `[v6]:port`.
    public var listenAddresses: [String]
    /// `--web.telemetry-path`.
    public var telemetryPath: String
    /// `--web.config.file`: the exporter-toolkit web configuration (TLS, basic auth, headers).
    public var webConfigFile: String?
    /// `--web.read-header-timeout`, `--web.idle-timeout`, `--web.max-connections`.
    public var limits: ConnectionLimits
    /// `--web.enable-lifecycle`: `POST /-/reload` reloads the configuration as SIGHUP does.
    public var enableLifecycle: Bool

    public init(
        listenAddresses: [String] = [":9571"], telemetryPath: String = "/metrics", webConfigFile: String? = nil,
        limits: ConnectionLimits = ConnectionLimits(), enableLifecycle: Bool = false
    ) {
        self.listenAddresses = listenAddresses
        self.telemetryPath = telemetryPath
        self.webConfigFile = webConfigFile
        self.limits = limits
        self.enableLifecycle = enableLifecycle
    }

    /// The parsed listen addresses, or the first flag value that is wrong.
    public func parsedListenAddresses() throws(ExporterHTTPError) -> [ListenAddress] {
        guard !listenAddresses.isEmpty else {
            throw .invalidListenAddress(value: "", reason: "no address given")
        }
        var seen = Set<ListenAddress>()
        var parsed: [ListenAddress] = []
        for text in listenAddresses {
            let address = try ListenAddress(parsing: text)
            guard seen.insert(address).inserted else {
                throw .invalidListenAddress(value: text, reason: "the same address is given twice")
            }
            parsed.append(address)
        }
        return parsed
    }

    private static let pathCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~/".unicodeScalars)

    /// Checks `telemetryPath`: an absolute path that does not hide another endpoint.
    public func validateTelemetryPath() throws(ExporterHTTPError) {
        let path = telemetryPath
        guard path.hasPrefix("/") else {
            throw .invalidTelemetryPath(value: path, reason: "it must start with '/'")
        }
        guard !ReservedPath.all.contains(path) else {
            throw .invalidTelemetryPath(value: path, reason: "that path is the landing page, health or readiness")
        }
        // Hummingbird reads ':', '*' and '{' in a route as parameters and wildcards.
        guard path.unicodeScalars.allSatisfy(Self.pathCharacters.contains) else {
            throw .invalidTelemetryPath(value: path, reason: "only letters, digits and - _ . ~ / may be used")
        }
    }
}

/// What one client may hold and how long it may take, so that slow or idle clients cannot keep
/// the exporter's connections and descriptors (slowloris).
public struct ConnectionLimits: Sendable, Equatable {
    /// `--web.read-header-timeout`: a request must have arrived whole this long after its first
    /// byte (after the connection was accepted, for the first request).
    public var readHeaderTimeout: Duration
    /// `--web.idle-timeout`: how long a kept-alive connection may wait for its next request.
    public var idleTimeout: Duration
    /// `--web.max-connections`: connections beyond this many open ones are closed at once.
    public var maxConnections: Int

    /// The shortest timeout that leaves a client time to send anything.
    public static let shortestTimeout: Duration = .milliseconds(100)
    /// At least one connection, or nothing could be served.
    public static let fewestConnections = 1

    public init(
        readHeaderTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxConnections: Int = 1024
    ) {
        self.readHeaderTimeout = readHeaderTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}

/// The paths the server answers besides the telemetry path.
enum ReservedPath {
    static let landingPage = "/"
    static let healthy = "/-/healthy"
    static let ready = "/-/ready"
    static let reload = "/-/reload"
    static let all: Set<String> = [landingPage, healthy, ready, reload]
}

/// One `--web.listen-address` value.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host or IP address to bind; nil means every interface.
    public var host: String?
    /// The TCP port; 0 picks a free one.
    public var port: Int

    public init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port` or `[v6]:port`.
    public init(parsing text: String) throws(ExporterHTTPError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw .invalidListenAddress(value: text, reason: "the port is missing")
        }
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            let port = Int(portText), port <= 65535
        else {
            throw .invalidListenAddress(value: text, reason: "'\(portText)' is not a port (0 to 65535)")
        }
        self.port = port
        self.host = try Self.host(String(text[..<colon]), in: text)
    }

    private static func host(_ hostText: String, in text: String) throws(ExporterHTTPError) -> String? {
        if hostText.isEmpty { return nil }
        if hostText.hasPrefix("[") {
            guard hostText.hasSuffix("]"), hostText.count > 2 else {
                throw .invalidListenAddress(value: text, reason: "an IPv6 address needs its closing ']'")
            }
            return String(hostText.dropFirst().dropLast())
        }
        guard !hostText.contains(":") else {
            throw .invalidListenAddress(value: text, reason: "an IPv6 address must be written in brackets, [::1]:port")
        }
        guard !hostText.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw .invalidListenAddress(value: text, reason: "'\(hostText)' is not a host name or IP address")
        }
        return hostText
    }

    /// The address as written on the command line.
    public var description: String {
        switch host {
        case nil: ":\(port)"
        case let host? where host.contains(":"): "[\(host)]:\(port)"
        case let host?: "\(host):\(port)"
        }
    }
}
