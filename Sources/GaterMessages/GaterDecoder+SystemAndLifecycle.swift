/// The decoders of the `ex_esdb_system` and `ex_esdb_lifecycle` payloads: nil only when the one
/// field the message is about (its event, its feature) is missing or unusable.
extension GaterDecoder {
    static func systemLifecycle<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.event) else { return nil }
        return .systemLifecycle(
            SystemLifecycle(
                event: event, systemName: f.text(.systemName), version: f.text(.version),
                node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func systemConfig<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        .systemConfig(
            SystemConfigChange(
                component: f.text(.component), node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    static func featureToggle<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let feature = f.text(.feature) else { return nil }
        return .featureToggle(
            FeatureToggle(
                feature: feature, enabled: f.bool(.enabled), node: f.text(.node) ?? sender,
                timestamp: f.timestamp(.timestamp)))
    }

    static func nodeLifecycle<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.event) else { return nil }
        return .nodeLifecycle(
            NodeLifecycle(
                node: f.text(.node) ?? sender, event: event, clusterSize: f.count(.clusterSize),
                timestamp: f.timestamp(.timestamp)))
    }

    /// `pid` is read only when it is a name: a real pid is what the field should hold, not an
    /// unusable value.
    static func processLifecycle<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.event) else { return nil }
        return .processLifecycle(
            ProcessLifecycle(
                name: f.text(.name), pidName: nameText(f, .pid), module: f.text(.module), event: event,
                node: f.text(.node) ?? sender, restartCount: f.count(.restartCount),
                timestamp: f.timestamp(.timestamp)))
    }

    static func supervision<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.event) else { return nil }
        return .supervision(
            SupervisionEvent(event: event, node: f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    /// The originating node (ExESDBGater 0.8), else a `node` (older publishers), else the sender.
    static func clusterMembership<F: PayloadFields>(_ f: F, _ sender: String) -> GaterMessage? {
        guard let event = f.text(.event) else { return nil }
        return .clusterMembership(
            ClusterMembership(
                event: event, affectedNodes: f.count(.affectedNodes), activeNodes: f.count(.activeNodes),
                totalNodes: f.count(.totalNodes), quorumStatus: f.text(.quorumStatus),
                node: f.text(.originatingNode) ?? f.text(.node) ?? sender, timestamp: f.timestamp(.timestamp)))
    }

    /// The field's text when it is an atom, a binary or a charlist; nil (and not counted as
    /// unusable) for a value of any other shape.
    static func nameText<F: PayloadFields>(_ f: F, _ key: PayloadField) -> String? {
        switch f.shape(key) {
        case .atom?, .binary?, .charlist?: f.text(key)
        default: nil
        }
    }
}
