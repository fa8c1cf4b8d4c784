import BEAMPeers
import Foundation
import HummingbirdBcrypt

/// A web config file in a temporary directory, rewritable for reload tests.
struct WebConfigFile {
    let path: String

    init(_ yaml: String) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("exesdb-webconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = "\(directory)/web-config.yml"
        try write(yaml)
    }

    func write(_ yaml: String) throws {
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// `tls_server_config` for `certificates`, with extra lines indented under it.
    static func tls(_ certificates: TestCertificates, _ extra: String = "") -> String {
        """
        tls_server_config:
          cert_file: \(certificates.serverCertificate)
          key_file: \(certificates.serverKey)
        \(extra.split(separator: "\n").map { "  \($0)\n" }.joined())
        """
    }

    /// `basic_auth_users` with htpasswd-style (`$2y$`) hashes of the given passwords.
    static func users(_ passwords: [String: String], cost: UInt8 = 5) -> String {
        "basic_auth_users:\n"
            + passwords.sorted { $0.key < $1.key }.map { user, password in
                "  \(user): \"\(htpasswdHash(password, cost: cost))\"\n"
            }.joined()
    }

    static func htpasswdHash(_ password: String, cost: UInt8) -> String {
        "$2y$" + Bcrypt.hash(password, cost: cost).dropFirst(4)
    }
}

/// `Authorization: Basic` header argument for curl.
func basicAuth(_ user: String, _ password: String) -> [String] {
    ["-H", "Authorization: Basic \(Data("\(user):\(password)".utf8).base64EncodedString())"]
}
