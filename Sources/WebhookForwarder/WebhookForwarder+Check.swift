extension WebhookForwarder {
    /// Reads every endpoint's secret files and checks its TLS files, as the forwarder does at
    /// start, without opening the spool or sending anything: `--config.check`'s part. Throws
    /// `WebhookSetupError` naming the key and the file, never a secret.
    public static func check(_ configuration: WebhookConfiguration) throws {
        for (index, endpoint) in configuration.endpoints.enumerated() {
            _ = try EndpointRoute(endpoint, index: index)
        }
    }
}
