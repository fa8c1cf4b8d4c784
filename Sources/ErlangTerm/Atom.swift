/// An Erlang atom, held as its text.
public struct Atom: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }

    public static let `true`: Atom = "true"
    public static let `false`: Atom = "false"
    public static let `nil`: Atom = "nil"
    public static let undefined: Atom = "undefined"
}
