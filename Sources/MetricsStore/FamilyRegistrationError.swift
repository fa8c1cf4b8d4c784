// The declarations (FamilyDescriptor, MetricType) live in MetricDeclarations, which every module
// that emits a family imports; the store's users get them through this module too.
@_exported import MetricDeclarations

/// Why a family could not be registered: a programming or configuration error the caller reports.
public enum FamilyRegistrationError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case invalidLabelName(family: String, label: String)
    case conflictingDefinition(String)
    case invalidBuckets(family: String)
    case missingStates(family: String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "metric name \"\(name)\" is not valid: use [a-zA-Z_:][a-zA-Z0-9_:]*"
        case .invalidLabelName(let family, let label):
            "label name \"\(label)\" of \(family) is not valid: use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __"
        case .conflictingDefinition(let name):
            "\(name) is already registered with another type, unit or label names"
        case .invalidBuckets(let family):
            "the buckets of \(family) must be finite, ascending and not empty"
        case .missingStates(let family):
            "the stateset \(family) needs at least one state"
        }
    }
}
