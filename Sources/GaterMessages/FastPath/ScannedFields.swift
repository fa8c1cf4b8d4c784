import ErlangTerm

/// A payload's fields as the scan found them (`TermScanner+Payload`): the offset of each field's value in the
/// broadcast's bytes (-1 when absent), and of each key of the `timestamp` DateTime.
///
/// Reads exactly as `PayloadReader` does for the shapes it takes; a value of a shape it does not
/// take (a charlist, a list standing for text, a map of checks, a DateTime other than
/// `timestamp`) sets `unsupported`, and the broadcast is then decoded by the general path.
struct ScannedFields: PayloadFields {
    let bytes: UnsafeBufferPointer<UInt8>
    let fields: UnsafeBufferPointer<Int>
    let times: UnsafeBufferPointer<Int>
    let unsupported: UnsafeMutablePointer<Bool>
    /// The channel's texts seen before, so that a name read again allocates nothing. Unretained:
    /// the scan that makes these fields holds the interner for as long as they are read, and a
    /// struct without a strong reference copies without reference counting (the decoders copy it
    /// field by field).
    let texts: Unmanaged<TextInterner>

    func has(_ key: PayloadField) -> Bool { fields[key.rawValue] >= 0 }

    /// As `PayloadReader.shape`, from the value's tag byte.
    func shape(_ key: PayloadField) -> FieldShape? {
        guard let offset = field(key) else { return nil }
        switch bytes[offset] {
        case ExternalTag.smallAtomUTF8, ExternalTag.atomUTF8, ExternalTag.atom, ExternalTag.smallAtom: return .atom
        case ExternalTag.smallInteger, ExternalTag.integer, ExternalTag.smallBig, ExternalTag.largeBig: return .integer
        case ExternalTag.newFloat, ExternalTag.float: return .float
        case ExternalTag.binary, ExternalTag.bitBinary: return .binary
        case ExternalTag.string: return .charlist
        case ExternalTag.list, ExternalTag.nilList: return .list
        case ExternalTag.map: return .map
        case ExternalTag.smallTuple, ExternalTag.largeTuple: return .tuple
        default: return .other
        }
    }

    /// The value's offset, nil when absent or the atom `nil`.
    private func field(_ key: PayloadField) -> Int? {
        let offset = fields[key.rawValue]
        guard offset >= 0, !isNil(offset) else { return nil }
        return offset
    }

    private func isNil(_ offset: Int) -> Bool {
        bytes[offset] == ExternalTag.smallAtomUTF8 && bytes[offset + 1] == 3 && bytes[offset + 2] == 0x6E
            && bytes[offset + 3] == 0x69
            && bytes[offset + 4] == 0x6C
    }

    private func giveUp() { unsupported.pointee = true }

    func text(_ key: PayloadField) -> String? {
        field(key).flatMap(text(at:))
    }

    /// An atom's or a binary's text; anything else is for the general path.
    private func text(at offset: Int) -> String? {
        switch bytes[offset] {
        case ExternalTag.smallAtomUTF8: return string(offset + 2, Int(bytes[offset + 1]))
        case ExternalTag.binary: return string(offset + 5, Int(BigEndian.u32(bytes, offset + 1)))
        default:
            giveUp()
            return nil
        }
    }

    private func string(_ start: Int, _ length: Int) -> String {
        // Guaranteed, not retained: the scan holds the interner (see `texts`).
        texts._withUnsafeGuaranteedRef { $0.text(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)])) }
    }

    func double(_ key: PayloadField) -> Double? {
        field(key).flatMap(number(at:))
    }

    /// A number; nil for what is not one, as `TermView.double(of:)`.
    private func number(at offset: Int) -> Double? {
        switch bytes[offset] {
        case ExternalTag.smallInteger: return Double(bytes[offset + 1])
        case ExternalTag.integer: return Double(Int32(bitPattern: BigEndian.u32(bytes, offset + 1)))
        case ExternalTag.newFloat: return Double(bitPattern: BigEndian.u64(bytes, offset + 1))
        case ExternalTag.smallBig: return bignum(digits: Int(bytes[offset + 1]), sign: offset + 2)
        case ExternalTag.largeBig: return bignum(digits: Int(BigEndian.u32(bytes, offset + 1)), sign: offset + 5)
        default: return nil
        }
    }

    /// A SMALL_BIG_EXT or LARGE_BIG_EXT (little-endian digits after the sign byte), computed as
    /// `BigInteger.doubleValue` computes it, so both paths give the same Double.
    private func bignum(digits: Int, sign: Int) -> Double {
        var result = 0.0
        for index in stride(from: sign + digits, to: sign, by: -1) { result = result * 256 + Double(bytes[index]) }
        return bytes[sign] == 1 ? -result : result
    }

    func count(_ key: PayloadField) -> Int? {
        guard let offset = field(key) else { return nil }
        if let number = number(at: offset), number.isFinite, abs(number) < 9e18 { return Int(number) }
        switch bytes[offset] {
        case ExternalTag.nilList: return 0
        case ExternalTag.string: return Int(UInt16(bytes[offset + 1]) << 8 | UInt16(bytes[offset + 2]))
        case ExternalTag.list: return Int(BigEndian.u32(bytes, offset + 1))
        default: return nil
        }
    }

    func bool(_ key: PayloadField) -> Bool? {
        guard let offset = field(key), bytes[offset] == ExternalTag.smallAtomUTF8 else { return nil }
        switch string(offset + 2, Int(bytes[offset + 1])) {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    func names(_ key: PayloadField) -> [String] {
        guard let offset = field(key) else { return [] }
        switch bytes[offset] {
        case ExternalTag.nilList: return []
        case ExternalTag.list:
            var scanner = TermScanner(bytes, at: offset + 5)
            var names: [String] = []
            for _ in 0..<Int(BigEndian.u32(bytes, offset + 1)) {
                let element = scanner.position
                guard (try? scanner.skipTerm()) != nil, let name = text(at: element) else {
                    giveUp()
                    return []
                }
                names.append(name)
            }
            return names
        default: return text(at: offset).map { [$0] } ?? []
        }
    }

    func timestamp(_ key: PayloadField) -> Double? {
        guard let offset = field(key), bytes[offset] == ExternalTag.map else { return nil }
        guard key == .timestamp else {
            giveUp()
            return nil
        }
        return ScannedDateTime(fields: self, times: times).unixSeconds()
    }

    func numericTags(_ key: PayloadField) -> [NumericTag] {
        guard let offset = field(key), bytes[offset] == ExternalTag.map else { return [] }
        var scanner = TermScanner(bytes, at: offset + 5)
        var tags: [NumericTag] = []
        for _ in 0..<Int(BigEndian.u32(bytes, offset + 1)) {
            let name = scanner.position
            guard (try? scanner.skipTerm()) != nil else { break }
            let value = scanner.position
            guard (try? scanner.skipTerm()) != nil else { break }
            guard bytes[name] == ExternalTag.smallAtomUTF8 || bytes[name] == ExternalTag.binary,
                let tagName = text(at: name)
            else {
                giveUp()
                return []
            }
            if let number = number(at: value) { tags.append(NumericTag(name: tagName, value: number)) }
        }
        return tags
    }

    func checkOutcomes(_ key: PayloadField) -> [HealthCheckOutcome] {
        guard let offset = field(key), bytes[offset] == ExternalTag.map else { return [] }
        if BigEndian.u32(bytes, offset + 1) > 0 { giveUp() }
        return []
    }

    /// A number at `offset` for the DateTime: what `number(at:)` reads.
    func dateNumber(at offset: Int) -> Double? { number(at: offset) }

    /// The first element of a tuple at `offset`, if it is one with elements.
    func firstOfTuple(at offset: Int) -> Int? {
        switch bytes[offset] {
        case ExternalTag.smallTuple: return bytes[offset + 1] > 0 ? offset + 2 : nil
        case ExternalTag.largeTuple, ExternalTag.list:
            giveUp()
            return nil
        default: return nil
        }
    }
}

/// `ErlangDateTime.unixSeconds` over scanned offsets: the same rules, the same result.
struct ScannedDateTime {
    let fields: ScannedFields
    let times: UnsafeBufferPointer<Int>

    func unixSeconds() -> Double? {
        ErlangDateTime.unixSeconds(
            present: { times[$0] >= 0 }, number: { times[$0] >= 0 ? fields.dateNumber(at: times[$0]) : nil },
            microsecond: { micro in
                guard times[micro] >= 0 else { return 0 }
                let offset = times[micro]
                return fields.firstOfTuple(at: offset).flatMap(fields.dateNumber) ?? fields.dateNumber(at: offset) ?? 0
            })
    }
}
