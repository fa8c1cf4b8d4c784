import Foundation

/// An http:// or https:// URL, checked once at configuration time. Only its origin
/// (scheme://host:port) is ever logged: receivers such as chat webhooks put secrets in the path.
struct WebURL: Sendable, Equatable {
    let text: String
    let isTLS: Bool
    /// scheme://host:port, for log lines and error messages.
    let origin: String
    let path: String
    let hasCredentials: Bool

    init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return nil }
        self.text = text
        isTLS = scheme == "https"
        let port = components.port ?? (isTLS ? 443 : 80)
        origin = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        path = components.path
        hasCredentials = components.user != nil || components.password != nil
    }
}
