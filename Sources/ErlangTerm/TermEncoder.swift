/// Writes terms in the external format, choosing tags exactly as the BEAM's `term_to_binary`
/// does: the smallest integer tag, STRING_EXT for short byte lists, SMALL_TUPLE_EXT up to 255
/// elements, NEW_PID_EXT, NEWER_REFERENCE_EXT, NEW_FLOAT_EXT, and atoms in `atomStyle`.
public struct TermEncoder: Sendable {
    public var atomStyle: AtomStyle

    public init(atomStyle: AtomStyle = .utf8) {
        self.atomStyle = atomStyle
    }

    /// `term` in the external format, prefixed with the version byte 131 unless told otherwise.
    public func encode(_ term: Term, includeVersion: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        if includeVersion { out.append(ExternalTag.version) }
        append(term, to: &out)
        return out
    }

    /// Appends `term` without the version byte.
    public func append(_ term: Term, to out: inout [UInt8]) {
        switch term {
        case .integer(let value): appendInteger(value, to: &out)
        case .bigInteger(let value): appendBig(value, to: &out)
        case .float(let value):
            out.append(ExternalTag.newFloat)
            BigEndian.append(value.bitPattern, to: &out)
        case .atom(let atom): appendAtom(atom, to: &out)
        case .tuple(let elements): appendTuple(elements, to: &out)
        case .list(let elements): appendList(elements, to: &out)
        case .improperList(let elements, let tail): appendImproperList(elements, tail: tail, to: &out)
        case .string(let bytes): appendString(bytes, to: &out)
        case .map(let entries):
            out.append(ExternalTag.map)
            BigEndian.append(UInt32(entries.count), to: &out)
            for entry in entries {
                append(entry.key, to: &out)
                append(entry.value, to: &out)
            }
        case .binary(let bytes): appendBinary(bytes, to: &out)
        case .bitBinary(let bytes, let bits): appendBitBinary(bytes, bits: bits, to: &out)
        default: appendIdentifierOrFun(term, to: &out)
        }
    }

    private func appendIdentifierOrFun(_ term: Term, to out: inout [UInt8]) {
        switch term {
        case .pid(let pid): appendPid(pid, to: &out)
        case .port(let port): appendPort(port, to: &out)
        case .reference(let reference): appendReference(reference, to: &out)
        case .export(let export):
            out.append(ExternalTag.export)
            appendAtom(export.module, to: &out)
            appendAtom(export.function, to: &out)
            out.append(ExternalTag.smallInteger)
            out.append(export.arity)
        case .fun(let fun): appendFun(fun, to: &out)
        case .local(let bytes):
            out.append(ExternalTag.local)
            out.append(contentsOf: bytes)
        default: preconditionFailure("every other case is handled by append(_:to:)")
        }
    }

    // MARK: - Numbers

    private func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if (0...255).contains(value) {
            out.append(ExternalTag.smallInteger)
            out.append(UInt8(value))
        } else if let small = Int32(exactly: value) {
            out.append(ExternalTag.integer)
            BigEndian.append(UInt32(bitPattern: small), to: &out)
        } else {
            appendBigDigits(
                isNegative: value < 0, magnitude: BigInteger.littleEndianBytes(of: value.magnitude), to: &out)
        }
    }

    private func appendBig(_ value: BigInteger, to out: inout [UInt8]) {
        if let small = value.intValue {
            appendInteger(small, to: &out)
        } else {
            appendBigDigits(isNegative: value.isNegative, magnitude: value.magnitude, to: &out)
        }
    }

    private func appendBigDigits(isNegative: Bool, magnitude: [UInt8], to out: inout [UInt8]) {
        if magnitude.count < 256 {
            out.append(ExternalTag.smallBig)
            out.append(UInt8(magnitude.count))
        } else {
            out.append(ExternalTag.largeBig)
            BigEndian.append(UInt32(magnitude.count), to: &out)
        }
        out.append(isNegative ? 1 : 0)
        out.append(contentsOf: magnitude)
    }

    // MARK: - Atoms, tuples, lists, binaries

    func appendAtom(_ atom: Atom, to out: inout [UInt8]) {
        var name = atom.name
        name.withUTF8 { AtomText.append(utf8: $0, style: atomStyle, to: &out) }
    }

    private func appendTuple(_ elements: [Term], to out: inout [UInt8]) {
        if elements.count < 256 {
            out.append(ExternalTag.smallTuple)
            out.append(UInt8(elements.count))
        } else {
            out.append(ExternalTag.largeTuple)
            BigEndian.append(UInt32(elements.count), to: &out)
        }
        for element in elements { append(element, to: &out) }
    }

    private func appendList(_ elements: [Term], to out: inout [UInt8]) {
        if elements.isEmpty {
            out.append(ExternalTag.nilList)
        } else if elements.count <= 0xFFFF, let bytes = Self.byteValues(elements) {
            appendString(bytes, to: &out)
        } else {
            out.append(ExternalTag.list)
            BigEndian.append(UInt32(elements.count), to: &out)
            for element in elements { append(element, to: &out) }
            out.append(ExternalTag.nilList)
        }
    }

    private func appendImproperList(_ elements: [Term], tail: Term, to out: inout [UInt8]) {
        // A list-shaped tail continues the list: [1 | [2]] is [1, 2], and is written so.
        switch tail {
        case .list(let rest): return appendList(elements + rest, to: &out)
        case .string(let rest): return appendList(elements + rest.map { .integer(Int($0)) }, to: &out)
        case .improperList(let rest, let innerTail):
            return appendImproperList(elements + rest, tail: innerTail, to: &out)
        default: break
        }
        guard !elements.isEmpty else { return append(tail, to: &out) }
        out.append(ExternalTag.list)
        BigEndian.append(UInt32(elements.count), to: &out)
        for element in elements { append(element, to: &out) }
        append(tail, to: &out)
    }

    private func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        if bytes.isEmpty {
            out.append(ExternalTag.nilList)
        } else if bytes.count <= 0xFFFF {
            out.append(ExternalTag.string)
            BigEndian.append(UInt16(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        } else {
            out.append(ExternalTag.list)
            BigEndian.append(UInt32(bytes.count), to: &out)
            for byte in bytes {
                out.append(ExternalTag.smallInteger)
                out.append(byte)
            }
            out.append(ExternalTag.nilList)
        }
    }

    private static func byteValues(_ elements: [Term]) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(elements.count)
        for element in elements {
            guard case .integer(let value) = element, let byte = UInt8(exactly: value) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    private func appendBinary(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.append(ExternalTag.binary)
        BigEndian.append(UInt32(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    private func appendBitBinary(_ bytes: [UInt8], bits: UInt8, to out: inout [UInt8]) {
        guard !bytes.isEmpty, (1...7).contains(bits) else { return appendBinary(bytes, to: &out) }
        out.append(ExternalTag.bitBinary)
        BigEndian.append(UInt32(bytes.count), to: &out)
        out.append(bits)
        out.append(contentsOf: bytes.dropLast())
        // The BEAM clears the unused low bits of the last byte.
        out.append(bytes[bytes.count - 1] & ~(0xFF >> bits))
    }

    // MARK: - Identifiers and funs

    private func appendPid(_ pid: Pid, to out: inout [UInt8]) {
        out.append(ExternalTag.newPid)
        appendAtom(pid.node, to: &out)
        BigEndian.append(pid.id, to: &out)
        BigEndian.append(pid.serial, to: &out)
        BigEndian.append(pid.creation, to: &out)
    }

    private func appendPort(_ port: Port, to out: inout [UInt8]) {
        let wide = port.id > UInt64(UInt32.max)
        out.append(wide ? ExternalTag.v4Port : ExternalTag.newPort)
        appendAtom(port.node, to: &out)
        if wide {
            BigEndian.append(port.id, to: &out)
        } else {
            BigEndian.append(UInt32(port.id), to: &out)
        }
        BigEndian.append(port.creation, to: &out)
    }

    private func appendReference(_ reference: Reference, to out: inout [UInt8]) {
        out.append(ExternalTag.newerReference)
        BigEndian.append(UInt16(reference.words.count), to: &out)
        appendAtom(reference.node, to: &out)
        BigEndian.append(reference.creation, to: &out)
        for word in reference.words { BigEndian.append(word, to: &out) }
    }

    private func appendFun(_ fun: LocalFun, to out: inout [UInt8]) {
        let start = out.count
        out.append(ExternalTag.newFun)
        BigEndian.append(UInt32(0), to: &out)
        out.append(fun.arity)
        out.append(contentsOf: fun.uniq.prefix(16))
        out.append(contentsOf: repeatElement(0, count: max(0, 16 - fun.uniq.count)))
        BigEndian.append(fun.index, to: &out)
        BigEndian.append(UInt32(fun.freeVariables.count), to: &out)
        appendAtom(fun.module, to: &out)
        append(fun.oldIndex, to: &out)
        append(fun.oldUniq, to: &out)
        append(fun.pid, to: &out)
        for variable in fun.freeVariables { append(variable, to: &out) }
        BigEndian.overwrite(UInt32(out.count - start - 1), in: &out, at: start + 1)
    }
}

extension Term {
    /// This term in the external format with atoms in `style`, prefixed with the version byte.
    public func encoded(style: AtomStyle = .utf8) -> [UInt8] {
        TermEncoder(atomStyle: style).encode(self)
    }
}
