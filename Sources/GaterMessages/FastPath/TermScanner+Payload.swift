import ErlangTerm
import Foundation

extension TermScanner {
    /// The inner term `{Tag, Payload}` of a Gater struct: scans it whole (re-encoding it when
    /// emitting) and notes where the struct's fields are, and the `timestamp` DateTime's keys.
    /// Only a map whose first key is `__struct__` naming a Gater module, with atom keys, is taken.
    mutating func payload(
        fields: UnsafeMutableBufferPointer<Int>, times: UnsafeMutableBufferPointer<Int>
    ) throws(Unsupported) -> GaterMessageKind {
        guard try byte(at: position) == ExternalTag.smallTuple, try byte(at: position + 1) == 2 else {
            throw Unsupported()
        }
        try advance(2)
        _ = try atom()
        guard try byte(at: position) == ExternalTag.map else { throw Unsupported() }
        let pairs = try length(at: position + 1)
        try advance(5)
        guard pairs > 0, text(try atom()) == "__struct__" else { throw Unsupported() }
        guard let module = GaterDecoder.modules.position(of: text(try atom())) else { throw Unsupported() }
        let kind = GaterDecoder.kinds[module]
        // Held unretained: the key tables are static, alive as long as the process. Held strongly
        // across the loop, the keys, their table and their field list cost a retain and release
        // each per message.
        let keys = Unmanaged.passUnretained(StructKeys.of(kind))
        fields[PayloadField.structModule.rawValue] = position
        var expected = 1
        for _ in 1..<pairs {
            // A struct's keys travel sorted, as the table lists them: one comparison each.
            guard let index = try key(expected, of: keys) else {
                try skipTerm(depth: 2)
                continue
            }
            expected = index + 1
            let field = keys._withUnsafeGuaranteedRef { $0.fields[index] }
            let value = position
            if fields[field.rawValue] < 0 { fields[field.rawValue] = value }
            if field == .timestamp, try byte(at: value) == ExternalTag.map {
                try dateTime(times, first: fields[field.rawValue] == value)
            } else {
                try skipTerm(depth: 2)
            }
        }
        return kind
    }

    /// A DateTime map, its keys' value offsets noted in `times` when `note` (the first
    /// `timestamp` key of the payload).
    private mutating func dateTime(_ times: UnsafeMutableBufferPointer<Int>, first note: Bool) throws(Unsupported) {
        let pairs = try length(at: position + 1)
        try advance(5)
        let keys = Unmanaged.passUnretained(ErlangDateTime.keyTables)
        var expected = 0
        for _ in 0..<pairs {
            let index = try key(expected, of: keys)
            if let index { expected = index + 1 }
            if note, let index, times[index] < 0 { times[index] = position }
            // Its parts are small integers: read here rather than through the general skip.
            switch try byte(at: position) {
            case ExternalTag.smallInteger: try advance(2)
            case ExternalTag.integer: try advance(5)
            default: try skipTerm(depth: 3)
            }
        }
    }

    /// The atom key here, moved past: its position in `keys`, nil when it is not one of them.
    /// The name expected next is compared with the bytes first, as two words; any other atom is
    /// read and looked up. `keys` is held unretained: the key tables are static.
    @inline(__always)
    private mutating func key(_ expected: Int, of keys: Unmanaged<StructKeys>) throws(Unsupported) -> Int? {
        if let length = keys._withUnsafeGuaranteedRef({ $0.encoded.length(ofName: expected, in: bytes, at: position) })
        {
            try passMatchedAtom(length: length)
            return expected
        }
        let name = text(try atom())
        return keys._withUnsafeGuaranteedRef { $0.table.position(of: name, expecting: expected) }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether the bytes are the UTF-8 of `text`.
    static func == (bytes: UnsafeBufferPointer<UInt8>, text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount, let start = bytes.baseAddress else { return false }
        return memcmp(start, text.utf8Start, bytes.count) == 0
    }
}
