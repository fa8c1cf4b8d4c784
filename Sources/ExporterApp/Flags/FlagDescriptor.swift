import ArgumentParser

/// One flag as everything that speaks of it sees it: argument-parser (its long name and help),
/// the help page (its usage and text), the config file (its key) and the error messages (what a
/// value must be). The typed flags (`ValueFlag`, `ListFlag`, `SwitchFlag`) add the default and the
/// checks; `Flags` lists them all.
public struct FlagDescriptor: Sendable {
    /// What the flag takes.
    public enum Kind: Sendable, Equatable {
        /// No value and no `--no-` form: `--help`, `--config.check`.
        case action
        /// On or off, with a `--no-` form so the command line can turn off what the file turns on.
        case onOff(default: Bool)
        /// A value, shown after `=` on the help page (its default or a placeholder).
        case value(shown: String, repeatable: Bool)
    }

    /// `erlang.max-frame-size`, without the dashes.
    public let name: String
    /// Its key in the config file (`erlang.max_frame_size`); nil when the file has none.
    public let configKey: String?
    public let kind: Kind
    /// What a value must be, for error messages ("a duration like 5m, at least 1s").
    public let expected: String
    /// The help text, with the default where the usage does not show it.
    public let text: String

    init(_ name: String, key: ConfigKey = .derived, kind: Kind, expected: String = "", _ text: String) {
        self.name = name
        self.kind = kind
        self.expected = expected
        self.configKey = key.resolve(name)
        if case .onOff(let on) = kind {
            self.text = text + " Default: \(on ? "on" : "off")."
        } else {
            self.text = text
        }
    }

    /// Where a flag's value goes in the config file.
    enum ConfigKey {
        /// The flag's words in snake case under their prefix: `web.max-connections` is
        /// `web.max_connections`.
        case derived
        case none
        case key(String)

        func resolve(_ name: String) -> String? {
            switch self {
            case .none: return nil
            case .key(let key): return key
            case .derived: return name.replacingOccurrences(of: "-", with: "_")
            }
        }
    }

    /// `--erlang.max-frame-size`.
    public var dashed: String { "--\(name)" }

    /// `--web.listen-address=:9571 ...` or `--[no-]erlang.listen`, as the help page shows it.
    public var usage: String {
        switch kind {
        case .action: dashed
        case .onOff: "--[no-]\(name)"
        case .value(let shown, let repeatable): "\(dashed)=\(shown)" + (repeatable ? " ..." : "")
        }
    }

    /// The config key, or the flag for one that has none: what the messages name.
    public var key: String { configKey ?? dashed }

    /// How the messages name the flag with its key: `erlang.max_frame_size (--erlang.max-frame-size)`.
    public var origin: String { configKey.map { "\($0) (\(dashed))" } ?? dashed }

    /// The error for `value` of this flag: the key and flag, the value and what is expected.
    func refused(_ value: String, expected: String? = nil) -> SettingError {
        SettingError("\(origin)=\(value): expected \(expected ?? self.expected)")
    }

    /// argument-parser's long name.
    public var long: NameSpecification { .customLong(name) }

    /// argument-parser's help.
    public var help: ArgumentHelp { ArgumentHelp(text) }
}
