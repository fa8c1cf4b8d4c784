import ExporterConfiguration

/// A flag that takes one value: its default, how its text is read, and what a value must be.
/// `resolve` takes the flag's text over the file's value over the default, and checks it.
public struct ValueFlag<Value: Sendable>: Sendable {
    public let flag: FlagDescriptor
    public let defaultValue: Value
    /// The value the text stands for; nil when it is not one.
    private let parse: @Sendable (String) -> Value?
    /// What a value must be when it cannot be used ("at least 1024 bytes"); nil when it can.
    private let problem: @Sendable (Value) -> String?
    /// The value as the messages write it.
    private let written: @Sendable (Value) -> String

    init(
        _ flag: FlagDescriptor, default defaultValue: Value, parse: @escaping @Sendable (String) -> Value?,
        problem: @escaping @Sendable (Value) -> String? = { _ in nil },
        written: @escaping @Sendable (Value) -> String = { "\($0)" }
    ) {
        self.flag = flag
        self.defaultValue = defaultValue
        self.parse = parse
        self.problem = problem
        self.written = written
    }

    /// The flag's text when given, else the file's value, else the default; refused, naming the
    /// key, the flag, the value and what is expected, when it cannot be used.
    func resolve(_ text: String?, file: Value?) throws -> Value {
        let value: Value
        if let text {
            guard let parsed = parse(text) else { throw flag.refused(text) }
            value = parsed
        } else {
            value = file ?? defaultValue
        }
        if let problem = problem(value) { throw flag.refused(written(value), expected: problem) }
        return value
    }

    /// As `resolve(_:file:)`, where the file holds text too (a level, a shard).
    func resolve(_ text: String?, fileText: String?) throws -> Value {
        guard text == nil, let fileText else { return try resolve(text, file: nil) }
        guard let parsed = parse(fileText) else { throw flag.refused(fileText) }
        return try resolve(nil, file: parsed)
    }
}

extension ValueFlag where Value == Int {
    /// A whole number in `range`, in `unit` ("bytes") when it has one.
    static func number(
        _ name: String, key: FlagDescriptor.ConfigKey = .derived, default value: Int, in range: ClosedRange<Int>,
        unit: String? = nil, _ text: String
    ) -> Self {
        let bounded = range.upperBound < Int.max
        let expected =
            bounded
            ? "a whole number from \(range.lowerBound) to \(range.upperBound)"
            : unit.map { "a number of \($0), at least \(range.lowerBound)" }
                ?? "a whole number of at least \(range.lowerBound)"
        let limit =
            bounded
            ? "\(range.lowerBound) to \(range.upperBound)"
            : "at least \(range.lowerBound)" + (unit.map { " \($0)" } ?? "")
        return ValueFlag(
            FlagDescriptor(
                name, key: key, kind: .value(shown: "\(value)", repeatable: false), expected: expected, text),
            default: value, parse: { Int($0.trimmingCharacters(in: .whitespaces)) },
            problem: { range.contains($0) ? nil : limit })
    }
}

extension ValueFlag where Value == Duration {
    /// A duration of at least `minimum`, in Prometheus's grammar (or whole seconds, where Erlang
    /// writes them so); `why` says where the minimum comes from.
    static func duration(
        _ name: String, default value: Duration, atLeast minimum: Duration, bareSeconds: Bool = false,
        why: String = "", _ text: String
    ) -> Self {
        let shown = Self.shown(value)
        let least = "at least \(ConfigDuration(minimum))"
        let expected = (bareSeconds ? "seconds or a duration like \(shown)" : "a duration like \(shown)") + ", \(least)"
        return ValueFlag(
            FlagDescriptor(name, kind: .value(shown: shown, repeatable: false), expected: expected, text),
            default: value,
            parse: { text in
                guard bareSeconds, let seconds = Int(text) else { return ConfigDuration.parse(text) }
                return .seconds(seconds)
            },
            problem: { $0 >= minimum ? nil : least + why }, written: { "\(ConfigDuration($0))" })
    }

    /// A default as the help page shows it: a minute or less in seconds, as timeouts and Erlang's
    /// net_ticktime are written (`60s`), longer in the largest units (`5m`).
    static func shown(_ duration: Duration) -> String {
        let (seconds, fraction) = duration.components
        guard duration <= .seconds(60), fraction == 0 else { return "\(ConfigDuration(duration))" }
        return "\(seconds)s"
    }
}

extension ValueFlag where Value == String {
    /// Text with a default; `isUsable` checks a value, else `expected` is what it must be.
    static func text(
        _ name: String, default value: String, expected: String, isUsable: @escaping @Sendable (String) -> Bool,
        _ text: String
    ) -> Self {
        ValueFlag(
            FlagDescriptor(name, kind: .value(shown: "\"\(value)\"", repeatable: false), expected: expected, text),
            default: value, parse: { $0 }, problem: { isUsable($0) ? nil : expected },
            written: { $0.isEmpty || $0.contains(" ") ? "\"\($0)\"" : $0 })
    }
}

extension ValueFlag where Value: RawRepresentable, Value.RawValue == String {
    /// One of `choices`, which the help text lists.
    static func choice(_ name: String, default value: Value, choices: [Value], _ text: String) -> Self {
        let names = choices.map(\.rawValue)
        let expected = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        return ValueFlag(
            FlagDescriptor(
                name, kind: .value(shown: value.rawValue, repeatable: false), expected: expected,
                text + ": \(names.joined(separator: ", "))."),
            default: value, parse: { text in choices.first { $0.rawValue == text } }, written: \.rawValue)
    }
}

/// A flag that may be given more than once; given, its values replace the file's and the default.
public struct ListFlag: Sendable {
    public let flag: FlagDescriptor
    public let defaultValue: [String]

    /// `placeholder` stands for a value on the help page when there is no default; with one, the
    /// first default is shown, and the text ends with them all when there are more.
    init(_ name: String, default values: [String] = [], placeholder: String? = nil, expected: String, _ text: String) {
        let shown = placeholder ?? values.first ?? ""
        let defaults = values.count < 2 ? "" : " Default: \(values.joined(separator: ", "))."
        flag = FlagDescriptor(name, kind: .value(shown: shown, repeatable: true), expected: expected, text + defaults)
        defaultValue = values
    }

    func resolve(_ values: [String], file: [String]?) -> [String] { values.isEmpty ? file ?? defaultValue : values }
}

/// An on/off flag with a `--no-` form.
public struct SwitchFlag: Sendable {
    public let flag: FlagDescriptor
    public let defaultValue: Bool

    init(_ name: String, default on: Bool, _ text: String) {
        flag = FlagDescriptor(name, kind: .onOff(default: on), text)
        defaultValue = on
    }

    func resolve(_ given: Bool?, file: Bool?) -> Bool { given ?? file ?? defaultValue }
}

/// A flag whose value has no default (a file, a name the exporter makes up otherwise).
public struct OptionalFlag: Sendable {
    public let flag: FlagDescriptor

    init(
        _ name: String, key: FlagDescriptor.ConfigKey = .derived, shown: String = #""""#, expected: String,
        _ text: String
    ) {
        flag = FlagDescriptor(name, key: key, kind: .value(shown: shown, repeatable: false), expected: expected, text)
    }

    func resolve(_ given: String?, file: String?) -> String? { given ?? file }
}
