/// A process identifier (NEW_PID_EXT).
public struct Pid: Hashable, Sendable, CustomStringConvertible {
    public var node: Atom
    public var id: UInt32
    public var serial: UInt32
    public var creation: UInt32

    public init(node: Atom, id: UInt32, serial: UInt32, creation: UInt32) {
        self.node = node
        self.id = id
        self.serial = serial
        self.creation = creation
    }

    public var description: String { "<\(node).\(id).\(serial)>" }
}

/// A port identifier (NEW_PORT_EXT or V4_PORT_EXT).
public struct Port: Hashable, Sendable {
    public var node: Atom
    public var id: UInt64
    public var creation: UInt32

    public init(node: Atom, id: UInt64, creation: UInt32) {
        self.node = node
        self.id = id
        self.creation = creation
    }
}

/// A reference (NEWER_REFERENCE_EXT): one to five words, to be treated as opaque.
public struct Reference: Hashable, Sendable {
    public var node: Atom
    public var creation: UInt32
    public var words: [UInt32]

    public init(node: Atom, creation: UInt32, words: [UInt32]) {
        self.node = node
        self.creation = creation
        self.words = words
    }
}

/// An external fun, `fun Module:Function/Arity` (EXPORT_EXT).
public struct ExportFun: Hashable, Sendable {
    public var module: Atom
    public var function: Atom
    public var arity: UInt8

    public init(module: Atom, function: Atom, arity: UInt8) {
        self.module = module
        self.function = function
        self.arity = arity
    }
}

/// A local fun (NEW_FUN_EXT). Only carried, never called: its fields are kept so that it
/// re-encodes exactly.
public struct LocalFun: Equatable, Sendable {
    public var arity: UInt8
    public var uniq: [UInt8]
    public var index: UInt32
    public var module: Atom
    public var oldIndex: Term
    public var oldUniq: Term
    public var pid: Term
    public var freeVariables: [Term]

    public init(
        arity: UInt8, uniq: [UInt8], index: UInt32, module: Atom,
        oldIndex: Term, oldUniq: Term, pid: Term, freeVariables: [Term]
    ) {
        self.arity = arity
        self.uniq = uniq
        self.index = index
        self.module = module
        self.oldIndex = oldIndex
        self.oldUniq = oldUniq
        self.pid = pid
        self.freeVariables = freeVariables
    }
}
