/// Short forms for declaring a module's families beside its code (the catalogue is their union:
/// docs/architecture.md, "Where each fact lives").
extension FamilyDescriptor {
    public static func counter(
        _ name: String, help: String, labels: [String] = [], unit: String? = nil, expires: Bool = true
    ) -> FamilyDescriptor {
        FamilyDescriptor(name: name, help: help, type: .counter, unit: unit, labelNames: labels, expires: expires)
    }

    public static func gauge(
        _ name: String, help: String, labels: [String] = [], unit: String? = nil, expires: Bool = true
    ) -> FamilyDescriptor {
        FamilyDescriptor(name: name, help: help, type: .gauge, unit: unit, labelNames: labels, expires: expires)
    }

    /// A histogram in seconds, with the default buckets unless others are given.
    public static func histogram(
        _ name: String, help: String, labels: [String] = [], buckets: [Double] = defaultBuckets,
        expires: Bool = true
    ) -> FamilyDescriptor {
        FamilyDescriptor(
            name: name, help: help, type: .histogram, unit: "seconds", labelNames: labels, buckets: buckets,
            expires: expires)
    }

    public static func info(_ name: String, help: String, labels: [String], expires: Bool = true) -> FamilyDescriptor {
        FamilyDescriptor(name: name, help: help, type: .info, labelNames: labels, expires: expires)
    }
}
